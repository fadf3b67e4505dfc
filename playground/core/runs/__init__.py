"""Run folders: writing them as a run goes (runlog), reading them back, the final state,
copies, and TensorBoard export. Above training and the measures; below experiments."""
