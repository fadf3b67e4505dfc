"""The bottom layer: errors, records, run control, schedules, atomic file I/O, resources.

Imports nothing else of the playground; everything above may import it."""
