"""The side panels: the settings (every control builds one core Config) and the lessons panel."""
