"""The window's decisions without Qt: the run buttons (`run_controller`), the File menu
(`file_controller`) and the lessons panel (`lesson_controller`). Each talks to its Qt side through
a small Protocol, so it is tested with a mock view and no QApplication."""
