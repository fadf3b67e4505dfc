"""Shared by the file tests of the app: small fast configs and scripted dialogs."""

from playground.core.config import apply_overrides, from_dict, validate


def small_config(*overrides, epochs=10):
    cfg = from_dict({"task": {"name": "circle", "samples": 120}})
    return validate(apply_overrides(cfg, ["network.hidden=[4]", f"train.epochs={epochs}", "train.batch_size=30",
                                          "train.lr=0.01", *overrides]))


def probe_config(epochs=10):
    return small_config("probes.enabled=true", "probes.points=6", "train.ensemble=2", epochs=epochs)


class FakeDialogs:
    """Answers the File menu's questions from a script; records the messages shown."""

    def __init__(self):
        self.answers: list = []
        self.errors: list[tuple[str, str]] = []
        self.confirm_answer = True

    def _next(self, *args):
        return self.answers.pop(0) if self.answers else None

    open_file = save_file = folder = export_options = animation_options = _next

    def confirm(self, title, text):
        return self.confirm_answer

    def error(self, title, text):
        self.errors.append((title, text))


def open_window(qtbot, config):
    """A shown main window on `config` whose reset questions are answered yes and recorded
    (`window.asked`); the caller shuts it down."""
    from playground.ui.app import build_window, make_app

    make_app()
    window = build_window(config)
    qtbot.addWidget(window)
    window.show()
    window.asked = []
    window.confirm_reset = lambda question: window.asked.append(question) or True
    return window
