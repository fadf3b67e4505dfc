"""The window's menus: File (configs and runs in and out, figures out)."""
