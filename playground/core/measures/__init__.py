"""What a run measures and the interventions lessons switch on, as trainer hooks.

    probes/            information plane and layer statistics
    boundary.py        the decision-boundary grid of 2-D tasks
    sharpness.py       top Hessian eigenvalue        gradient_signal.py  parity's gradient signal
    meanfield.py       mean-field chaos/order        mode_strengths.py   singular-mode strengths
    interventions.py   deficit, learning-rate decay, fit time
    hook_kinds.py      the hook kinds a lesson's [hooks.NAME] tables name, with their options
"""
