"""Training: the ensemble MLP, the stacked data, the hook protocol, the trainer, task sequences.

Above `config` and `tasks`; knows no probe or remedy (those are hooks, assembled above it)."""
