"""Figures as files: a view exported as PNG or SVG, and a saved run drawn without a window."""
