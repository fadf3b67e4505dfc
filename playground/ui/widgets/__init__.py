"""Small widgets and the shared plot style (fonts, line widths, palette)."""
