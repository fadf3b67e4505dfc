"""Sequential tasks and catastrophic forgetting (science.md section 4).

With `continual.tasks = T > 1` the trainer trains T tasks one after another, each for
`continual.epochs_per_task` epochs (0 = `train.epochs`):

    methods.py     continual_hooks(config): the remedy (none, ewc, online_ewc, si, replay,
                   joint) and the per-task evaluation
    evaluation.py  TaskEvaluation: test accuracy on every task, tables and live data
    metrics.py     average accuracy, forgetting, backward transfer from the accuracy matrix
    examples.py    example_images(...): a few inputs of a task as images, for the app

The sequence itself (families permuted, split, parity; scenarios task, domain, class) is built
by `training.sequence`, and its config checks are `config.continual`.

Tasks are numbered from 1 in the tables, from 0 in `trainer.task_index` and in the arrays below.
E = ensemble members, T = tasks.

Tables (appended to the run folder as CSV)
    task_accuracy: epoch, member, task, accuracy
        test accuracy of every member on every task (also those not trained yet), every
        `continual.eval_every` epochs, at the end of every task and at the last epoch.
    accuracy_matrix: after_task, task, member, accuracy
        at the end of each task i: R[i, j] = test accuracy on task j after training task i.
        `metrics.matrix_from_table` turns the rows back into an (E, T, T) array.

record.live["continual"] (on the epochs evaluated as above): dict
    "epoch": int
    "task_index": int               the task trained this epoch (0-based)
    "task_done": bool               this epoch ended that task (a new row of the matrix)
    "task_names": list[str]         T names, e.g. "digits", "digits permuted #1", "digits 2/3"
    "task_accuracy": float64 (E, T) test accuracy on every task now
    "seen_accuracy": float64 (E,)   mean of task_accuracy over tasks 0..task_index
    "accuracy_matrix": float64 (E, T, T)  R[member, i, j]; rows of unfinished tasks are NaN
    "tasks_finished": int           rows of the matrix filled so far
    "average_accuracy": float64 (E,)  mean_j<=i R[i, j] after the last finished task i (NaN if none)
    "forgetting": float64 (E, T)    best earlier accuracy minus now per old task j < i (the
                                    convention shown); NaN otherwise
    "forgetting_last": float64 (E, T) R[j, j] minus now per old task j < i (Avalanche's); NaN otherwise
    "backward_transfer": float64 (E,) mean_j<i (R[i, j] - R[j, j]); 0 after the first task, NaN before
"""
