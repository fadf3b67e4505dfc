"""What runs are started from: presets, lessons, sweeps, the one lazy catalog of them, and the
one assembly of a run's hooks (`assembly.build_trainer`). The top of the core, below `bench`."""
