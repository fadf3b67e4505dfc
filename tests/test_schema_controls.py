"""The control panel offers exactly the schema's choices and ranges (built offscreen, no window shown)."""

import math
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit, QSlider, QWidget

from playground.core.config import SETTINGS, Config, get_setting, validate
from playground.core.config.rules import Choice, Choices, Range
from playground.core.config.schema import LAYER_COUNT, LAYER_WIDTH
from playground.ui.panels.controls import LIVE_KEYS, ControlPanel
from playground.ui.widgets.inputs import LogSlider, NumberField


@pytest.fixture
def panel(qtbot):
    widget = ControlPanel(validate(Config()))
    qtbot.addWidget(widget)
    return widget


def items(box: QComboBox, role=Qt.ItemDataRole.UserRole) -> list:
    return [box.itemData(i, role) for i in range(box.count())]


def keyed_of(panel: ControlPanel, kind: type) -> dict[str, QWidget]:
    return {key: widget for key, widget in panel.keyed.items() if isinstance(widget, kind)}


def test_every_list_offers_the_schemas_choices_with_their_labels_and_descriptions(panel):
    boxes = keyed_of(panel, QComboBox)
    assert {"network.activation", "network.init", "train.optimizer", "train.loss", "train.device",
            "probes.estimator", "continual.family", "continual.scenario", "continual.method"} <= set(boxes)
    for key, box in boxes.items():
        rule = SETTINGS[key]
        assert items(box) == list(rule.names), key
        assert [box.itemText(i) for i in range(box.count())] == [c.label or c.name for c in rule.options], key
        for tip, choice in zip(items(box, Qt.ItemDataRole.ToolTipRole), rule.options):
            assert tip.startswith(choice.description), (key, choice.name)  # the GPU's adds why it is off
    assert panel.seq_remedy.itemText(0) == "none (plain training)"


def test_every_typed_field_and_slider_has_the_schemas_range(panel):
    fields = keyed_of(panel, NumberField)
    assert {"train.momentum", "train.weight_decay", "train.batch_size", "train.epochs", "train.seed",
            "train.ensemble", "network.sw2", "network.sb2", "continual.tasks", "continual.epochs_per_task"} <= set(fields)
    for key, field in fields.items():
        rule = SETTINGS[key]
        assert not rule.log, f"{key} is log-scaled: it needs a log slider"
        assert (field.kind, field.low, field.high) == (rule.kind, rule.low, rule.high), key
    sliders = keyed_of(panel, LogSlider)
    assert set(sliders) == {key for key in panel.keyed if isinstance(SETTINGS.get(key), Range) and SETTINGS[key].log}
    for key, slider in sliders.items():
        rule = SETTINGS[key]
        assert (slider.low, slider.high) == rule.slider, key
        assert (slider.field.low, slider.field.high) == (rule.low, rule.high), key
    assert (panel.lr.low, panel.lr.high) == (1e-5, 10.0)


def test_the_depth_and_width_sliders_span_the_layer_rules(panel):
    assert (panel.depth.slider.minimum(), panel.depth.slider.maximum()) == (LAYER_COUNT.low, LAYER_COUNT.high)
    assert (panel.width.slider.minimum(), panel.width.slider.maximum()) == LAYER_WIDTH.slider
    # Typed widths may go to the rule's end, beyond the slider's.
    panel.widths.setText(f"{int(LAYER_WIDTH.high)}, 3")
    panel.widths.editingFinished.emit()
    assert panel.config().network.hidden == (LAYER_WIDTH.high, 3)


def test_no_control_keeps_a_range_or_choices_of_its_own(panel):
    """Every list, field and slider is a keyed one (from the schema), part of one, or the task's."""
    allowed = set(panel.keyed.values()) | {panel.task, panel.widths, panel.depth.slider, panel.width.slider}
    allowed |= {part for slider in keyed_of(panel, LogSlider).values() for part in (slider.field, slider.slider)}
    allowed |= set(panel.task_options.findChildren(QWidget))
    for kind in (QComboBox, QLineEdit, QSlider):
        for widget in panel.findChildren(kind):
            if widget.parent() is not None and isinstance(widget.parent(), QComboBox):
                continue  # a list's own line edit
            assert widget in allowed, f"{type(widget).__name__} {widget.toolTip()!r} is not built from the schema"


def typed(panel: ControlPanel, key: str, value: float) -> list[str]:
    """Type `value` into the key's field; the messages of any refusal."""
    widget = panel.keyed[key]
    field = widget.field if isinstance(widget, LogSlider) else widget
    refusals: list[str] = []
    panel.refused.connect(refusals.append)
    field.setText(str(value) if isinstance(value, int) else repr(float(value)))
    field.editingFinished.emit()
    panel.refused.disconnect(refusals.append)
    return refusals


def _ends(rule: Range) -> list[tuple[float, bool]]:
    """(value, allowed) at each bounded end and just beyond it."""
    cases = []
    for end, outwards, is_open in ((rule.low, -1, rule.low_open), (rule.high, +1, rule.high_open)):
        if end is None:
            continue
        end = rule.kind(end)
        beyond = end + outwards if rule.kind is int else math.nextafter(end, outwards * math.inf)
        cases += [(end, not is_open), (beyond, False)]
    return cases


def test_the_panel_accepts_each_end_and_refuses_just_beyond(panel):
    checked = 0
    for key in panel.keyed:
        rule = SETTINGS.get(key)
        if not isinstance(rule, Range):
            continue
        for value, allowed in _ends(rule):
            before = panel.config()
            refusals = typed(panel, key, value)
            if allowed:
                assert not refusals and get_setting(panel.config(), key) == value, (key, value, refusals)
                panel.set_config(before)
            else:
                assert refusals and panel.config() == before, (key, value)
            checked += 1
    assert checked >= 40


def test_loaded_values_at_the_ends_are_shown_and_read_back(panel):
    for key in panel.keyed:
        rule = SETTINGS.get(key)
        if not isinstance(rule, Range):
            continue
        for value, allowed in _ends(rule):
            if not allowed:
                continue
            section, name = key.split(".")
            cfg = replace(Config(), **{section: replace(getattr(Config(), section), **{name: value})})
            panel.set_config(validate(cfg))
            assert get_setting(panel.config(), key) == value, key


def test_a_live_key_changes_live_and_others_ask_to_reset(panel):
    changes = []
    panel.changed.connect(lambda kind, what: changes.append(kind))
    typed(panel, "train.momentum", 0.5)
    typed(panel, "train.batch_size", 64)
    assert changes == ["live", "reset"]
    assert set(panel.live_params()) == {key.split(".")[1] for key in LIVE_KEYS}
    assert panel.live_params()["momentum"] == 0.5


def test_a_choice_or_range_declared_in_the_schema_reaches_the_panel(qtbot, monkeypatch):
    estimators = SETTINGS["probes.estimator"]
    monkeypatch.setitem(SETTINGS, "probes.estimator",
                        Choices(estimators.options + (Choice("extra", "a test estimator", "extra bins"),)))
    monkeypatch.setitem(SETTINGS, "train.batch_size", Range(int, 1, 4096))
    panel = ControlPanel(validate(Config()))
    qtbot.addWidget(panel)
    index = panel.estimator.findData("extra")
    assert panel.estimator.itemText(index) == "extra bins"
    assert panel.estimator.itemData(index, Qt.ItemDataRole.ToolTipRole) == "a test estimator"
    assert panel.batch_size.high == 4096
