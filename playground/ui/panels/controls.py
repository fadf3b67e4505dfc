"""The settings panel: every control builds one core `Config`, validated by core `validate`.

Each control of a config key takes its choices (with their labels and descriptions), bounds, log
scale and slider span from the key's rule in `config.SETTINGS`; the panel keeps no copies.

A change is either *live* (learning rate, momentum, weight decay: applied to the running
optimizer at once) or *structural* (network, task, anything else: the window asks to reset).
A value the core refuses is put back and the reason is shown (`refused`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout, QLabel,
                               QLineEdit, QPushButton, QVBoxLayout, QWidget)

from playground.core.config import SETTINGS, Config, ConfigError, TaskConfig, from_dict, get_setting, validate
from playground.core.config.rules import Choices, Range
from playground.core.config.schema import LAYER_COUNT, LAYER_WIDTH, LIVE_KEYS
from playground.core.tasks import TASKS, get_task
from playground.core.tasks.base import Option
from playground.ui.controllers.controls_logic import (advanced_summary, is_advanced_task_option, width_caption,
                                                      widths_for_depth)
from playground.ui.model.network_hits import toggled_features
from playground.ui.widgets.inputs import LabeledSlider, LogSlider, NumberField


def cuda_status() -> tuple[bool, str]:
    """Whether torch sees a CUDA GPU, and why not."""
    import torch

    if torch.cuda.is_available():
        return True, f"GPU: {torch.cuda.get_device_name(0)}"
    if torch.version.cuda is None:
        return False, "This PyTorch is the CPU-only build: it cannot use a GPU."
    return False, "PyTorch sees no CUDA GPU on this computer (no GPU or no driver)."


def combo(items: list[str]) -> QComboBox:
    box = QComboBox()
    # Shrinkable, so the settings column fits a small screen (long names are cut, not overflowing).
    box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    box.setMinimumContentsLength(8)
    for item in items:
        box.addItem(item, item)
    return box


def choice_combo(choices: Choices) -> QComboBox:
    """A list of a key's choices: each shown by its label, its description as its tooltip (and the
    box's, for the current one)."""
    box = combo([])
    for choice in choices.options:
        box.addItem(choice.shown, choice.name)
        box.setItemData(box.count() - 1, choice.description, Qt.ItemDataRole.ToolTipRole)
    box.currentIndexChanged.connect(lambda _=None: describe_current(box))
    describe_current(box)
    return box


def describe_current(box: QComboBox) -> None:
    box.setToolTip(box.currentData(Qt.ItemDataRole.ToolTipRole) or "")


def field_bounds(rule: Range) -> tuple[float | None, float | None]:
    """The bounds a typed field enforces itself: the rule's. An open bound (lr > 0) is given as
    closed; `validate` then refuses the bound itself, and the panel shows its message."""
    return rule.low, rule.high


def set_combo(box: QComboBox, value: str) -> None:
    index = box.findData(value)
    if index >= 0:
        box.setCurrentIndex(index)


def parse_widths(text: str) -> tuple[int, ...]:
    parts = [p for p in text.replace(";", ",").replace(" ", ",").split(",") if p.strip()]
    try:
        widths = tuple(int(p) for p in parts)
    except ValueError:
        raise ConfigError(f"layer widths: {text!r} is not a list of whole numbers, e.g. 10, 7, 5") from None
    return widths


class TaskOptions(QWidget):
    """A form generated from a task's declared options (bool: check box, choices: list,
    numbers: typed fields with the option's range, text: a line, with Browse for paths)."""

    edited = Signal()
    refused = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.widgets: dict[str, tuple[Option, QWidget]] = {}
        # List options (task.features, task.points) have no field here: kept as they came.
        self.kept: dict[str, tuple[Option, Any]] = {}
        self.rows: dict[str, QWidget] = {}  # the row's field widget, by option name
        self.advanced = True

    def build(self, task: str, params: dict[str, Any]) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        self.widgets, self.kept = {}, {}
        self.rows = {}
        for option in get_task(task).options:
            value = params.get(option.name, option.default)
            if isinstance(option.default, tuple):
                self.kept[option.name] = (option, value)
                continue
            widget = self._widget(option, value)
            widget.setToolTip(option.help)
            label = QLabel(option.name.replace("_", " "))
            label.setToolTip(option.help)
            self.form.addRow(label, widget)
            self.rows[option.name] = widget
        self.set_advanced(self.advanced)

    def set_advanced(self, advanced: bool) -> None:
        """Show every option, or only the main ones (no seeds, no finer points of a data file)."""
        self.advanced = advanced
        for name, widget in self.rows.items():
            self.form.setRowVisible(widget, advanced or not is_advanced_task_option(name))

    def _widget(self, option: Option, value: Any) -> QWidget:
        kind = type(option.default)
        if kind is bool:
            widget = QCheckBox()
            widget.setChecked(bool(value))
            widget.toggled.connect(lambda _=None: self.edited.emit())
            self.widgets[option.name] = (option, widget)
            return widget
        if option.choices:
            widget = combo(list(option.choices))
            set_combo(widget, value)
            widget.currentIndexChanged.connect(lambda _=None: self.edited.emit())
            self.widgets[option.name] = (option, widget)
            return widget
        if kind in (int, float):
            widget = NumberField(f"task.{option.name}", kind, value, option.low, option.high)
            widget.valueChanged.connect(lambda _=None: self.edited.emit())
            widget.refused.connect(self.refused)
            self.widgets[option.name] = (option, widget)
            return widget
        line = QLineEdit(str(value))
        line.editingFinished.connect(self.edited.emit)
        self.widgets[option.name] = (option, line)
        if option.name != "path":
            return line
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        browse = QPushButton("Browse…")
        browse.clicked.connect(lambda: self._browse(line))
        layout.addWidget(line, 1)
        layout.addWidget(browse)
        return row

    def _browse(self, line: QLineEdit) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a CSV file", "", "CSV files (*.csv);;All files (*)")
        if path:
            line.setText(path)
            self.edited.emit()

    def values(self) -> dict[str, Any]:
        out = {name: value for name, (_option, value) in self.kept.items()}
        for name, (_option, widget) in self.widgets.items():
            if isinstance(widget, QCheckBox):
                out[name] = widget.isChecked()
            elif isinstance(widget, QComboBox):
                out[name] = widget.currentData()
            elif isinstance(widget, NumberField):
                out[name] = widget.value()
            else:
                out[name] = widget.text()
        return out

    def set_values(self, params: dict[str, Any]) -> None:
        self.kept = {name: (option, params.get(name, option.default)) for name, (option, _) in self.kept.items()}
        for name, (option, widget) in self.widgets.items():
            value = params.get(name, option.default)
            widget.blockSignals(True)
            if isinstance(widget, QCheckBox):
                widget.setChecked(bool(value))
            elif isinstance(widget, QComboBox):
                set_combo(widget, value)
            elif isinstance(widget, NumberField):
                widget.setValue(value)
            else:
                widget.setText(str(value))
            widget.blockSignals(False)


class ControlPanel(QWidget):
    """All settings of a run. `changed(kind, what)`: kind "live" or "reset"."""

    changed = Signal(str, str)
    refused = Signal(str)
    advanced_toggled = Signal(bool)  # the user asked for the advanced (True) or the simple panel

    def __init__(self, config: Config, parent: QWidget | None = None):
        super().__init__(parent)
        self._last_good = validate(config)
        self._loading = False
        self.advanced = True
        # The control of each config key it shows (network.hidden aside: depth, width and widths).
        self.keyed: dict[str, QWidget] = {}
        # What the simple panel hides: rows of a form (by their field) and whole groups.
        self.advanced_rows: list[tuple[QFormLayout, QWidget]] = []
        self.advanced_groups: list[QGroupBox] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self._mode_row())
        layout.addWidget(self._task_group())
        layout.addWidget(self._network_group())
        layout.addWidget(self._training_group())
        layout.addWidget(self._sequence_group())
        layout.addWidget(self._probe_group())
        layout.addStretch(1)
        self.set_config(self._last_good)

    # ------------------------------------------------------------ simple and advanced

    def _mode_row(self) -> QWidget:
        row = QWidget()
        layout = QVBoxLayout(row)
        layout.setContentsMargins(2, 0, 2, 0)
        self.advanced_box = QCheckBox("Advanced settings")
        self.advanced_box.setToolTip("initialisation (σw², σb²), optimizer details, epochs, seed, ensemble, "
                                     "loss, sequential tasks, probes, device")
        self.advanced_box.toggled.connect(self._advanced_clicked)
        self.advanced_note = QLabel()
        self.advanced_note.setWordWrap(True)
        self.advanced_note.setStyleSheet("color: #555;")
        self.advanced_note.setToolTip("the settings the simple panel does not show (tick Advanced settings to change them)")
        layout.addWidget(self.advanced_box)
        layout.addWidget(self.advanced_note)
        return row

    def _advanced_clicked(self, advanced: bool) -> None:
        self.set_advanced(advanced)
        self.advanced_toggled.emit(advanced)

    def set_advanced(self, advanced: bool) -> None:
        """The whole panel (True) or the short one: the task and its main options, depth, width,
        activation, learning rate and batch size, with the rest summed up in one line."""
        self.advanced = bool(advanced)
        self.advanced_box.blockSignals(True)
        self.advanced_box.setChecked(self.advanced)
        self.advanced_box.blockSignals(False)
        for form, field in self.advanced_rows:
            form.setRowVisible(field, self.advanced)
        for group in self.advanced_groups:
            group.setVisible(self.advanced)
        self.task_options.set_advanced(self.advanced)
        self._show_advanced_note()

    def _show_advanced_note(self) -> None:
        self.advanced_note.setText("" if self.advanced else f"Also set: {advanced_summary(self._last_good)}")
        self.advanced_note.setVisible(not self.advanced)

    def _advanced_row(self, form: QFormLayout, label: str, field: QWidget) -> None:
        form.addRow(label, field)
        self.advanced_rows.append((form, field))

    # ------------------------------------------------------------ building

    def _group(self, title: str) -> tuple[QGroupBox, QFormLayout]:
        box = QGroupBox(title)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        return box, form

    def _kind_of_change(self, key: str) -> str:
        return "live" if key in LIVE_KEYS else "reset"

    def _range(self, key: str) -> Range:
        rule = SETTINGS[key]
        assert isinstance(rule, Range), f"{key} has no numeric range"
        return rule

    def _number(self, key: str, what: str, name: str = "") -> NumberField:
        """A typed field for `key` (`name` in its messages: the key where not given)."""
        rule = self._range(key)
        low, high = field_bounds(rule)
        field = NumberField(name or key, rule.kind, get_setting(self._last_good, key), low, high)
        field.valueChanged.connect(lambda _=None: self._edited(self._kind_of_change(key), what))
        field.refused.connect(self.refused)
        self.keyed[key] = field
        return field

    def _log_slider(self, key: str, what: str, name: str) -> LogSlider:
        rule = self._range(key)
        slider = LogSlider(name, *rule.span(), get_setting(self._last_good, key))
        # The slider spans `rule.span()`; a typed value may use the whole range.
        slider.field.low, slider.field.high = field_bounds(rule)
        slider.valueChanged.connect(lambda _=None: self._edited(self._kind_of_change(key), what))
        slider.refused.connect(self.refused)
        self.keyed[key] = slider
        return slider

    def _choice(self, key: str, what: str) -> QComboBox:
        rule = SETTINGS[key]
        assert isinstance(rule, Choices), f"{key} has no choices"
        box = choice_combo(rule)
        box.currentIndexChanged.connect(lambda _=None: self._edited("reset", what))
        self.keyed[key] = box
        return box

    def _task_group(self) -> QGroupBox:
        box, form = self._group("Task")
        self.task = combo(sorted(TASKS))
        for index in range(self.task.count()):
            self.task.setItemData(index, get_task(self.task.itemData(index)).description, Qt.ItemDataRole.ToolTipRole)
        self.task.currentIndexChanged.connect(self._task_changed)
        self.task_description = QLabel()
        self.task_description.setWordWrap(True)
        self.task_description.setStyleSheet("color: #555;")
        self.task_options = TaskOptions()
        self.task_options.edited.connect(lambda: self._edited("reset", "the task's options"))
        self.task_options.refused.connect(self.refused)
        form.addRow("Task", self.task)
        form.addRow(self.task_description)
        form.addRow(self.task_options)
        return box

    def _sequence_group(self) -> QGroupBox:
        box, form = self._group("Sequential tasks (forgetting)")
        self.advanced_groups.append(box)
        self.seq_tasks = self._number("continual.tasks", "the number of sequential tasks")
        self.seq_tasks.setToolTip("1 = ordinary training; 2 or more = train tasks one after another")
        self.seq_family = self._choice("continual.family", "the task family")
        self.seq_scenario = self._choice("continual.scenario", "the scenario")
        self.seq_remedy = self._choice("continual.method", "the remedy")
        self.seq_epochs = self._number("continual.epochs_per_task", "epochs per task")
        self.seq_epochs.setToolTip("0 = the run's epochs for each task")
        form.addRow("Tasks in turn", self.seq_tasks)
        form.addRow("Family", self.seq_family)
        form.addRow("Scenario", self.seq_scenario)
        form.addRow("Remedy", self.seq_remedy)
        form.addRow("Epochs per task", self.seq_epochs)
        return box

    def _network_group(self) -> QGroupBox:
        box, form = self._group("Network")
        # The whole count: a loaded deep network (the edge-of-chaos lesson has 50 layers) must
        # show its true depth, or the next width change would cut it to the slider's maximum.
        self.depth = LabeledSlider(*(int(end) for end in LAYER_COUNT.span()), 2)
        self.depth.setToolTip("number of hidden layers")
        self.width = LabeledSlider(*(int(end) for end in LAYER_WIDTH.span()), 8)
        self.width.setToolTip("units in every hidden layer (type widths below for one per layer)")
        self.widths = QLineEdit()
        self.widths.setToolTip("width of each hidden layer, e.g. 10, 7, 5, 4, 3")
        self.depth.valueChanged.connect(lambda _: self._depth_changed())
        self.width.valueChanged.connect(lambda _: self._width_changed())
        self.widths.editingFinished.connect(self._widths_typed)
        self.activation = self._choice("network.activation", "the activation")
        self.init = self._choice("network.init", "the initialisation")
        self.init.currentIndexChanged.connect(lambda _=None: self._enable_dependent())
        self.sw2 = self._number("network.sw2", "sw2")
        self.sb2 = self._number("network.sb2", "sb2")
        self.sw2.setToolTip("mean-field weight variance: W ~ N(0, sw2 / fan_in)")
        self.sb2.setToolTip("mean-field bias variance: b ~ N(0, sb2)")
        form.addRow("Hidden layers", self.depth)
        form.addRow("Width", self.width)
        self._advanced_row(form, "Widths", self.widths)
        form.addRow("Activation", self.activation)
        self._advanced_row(form, "Initialisation", self.init)
        self._advanced_row(form, "σw² (mean field)", self.sw2)
        self._advanced_row(form, "σb² (mean field)", self.sb2)
        return box

    def _training_group(self) -> QGroupBox:
        box, form = self._group("Training")
        self.optimizer = self._choice("train.optimizer", "the optimizer")
        self.optimizer.currentIndexChanged.connect(lambda _=None: self._enable_dependent())
        self.lr = self._log_slider("train.lr", "the learning rate", "learning rate")
        self.lr.setToolTip("learning rate (log scale); changes apply at once, even while training")
        self.momentum = self._number("train.momentum", "momentum", "momentum")
        self.weight_decay = self._number("train.weight_decay", "weight decay", "weight decay")
        self.l1 = self._number("train.l1", "L1", "L1")
        self.l1.setToolTip("L1 penalty: l1 × the sum of |w| over the weights (not the biases) is added to the loss; "
                           "changes apply at once, even while training")
        self.batch_size = self._number("train.batch_size", "the batch size", "batch size")
        self.epochs = self._number("train.epochs", "the number of epochs", "epochs")
        self.seed = self._number("train.seed", "the seed", "seed")
        self.ensemble = self._number("train.ensemble", "the ensemble size", "ensemble size")
        self.ensemble.setToolTip("networks trained side by side, seeds seed, seed+1, ...")
        self.loss = self._choice("train.loss", "the loss")
        self.device = self._choice("train.device", "the device")
        available, reason = cuda_status()
        gpu_index = self.device.findData("cuda")
        self.device.model().item(gpu_index).setEnabled(available)
        gpu_tip = self.device.itemData(gpu_index, Qt.ItemDataRole.ToolTipRole)
        self.device.setItemData(gpu_index, f"{gpu_tip}\n{reason}", Qt.ItemDataRole.ToolTipRole)
        describe_current(self.device)
        form.addRow("Learning rate", self.lr)
        form.addRow("Batch size", self.batch_size)
        self._advanced_row(form, "Optimizer", self.optimizer)
        self._advanced_row(form, "Momentum (SGD)", self.momentum)
        self._advanced_row(form, "Weight decay", self.weight_decay)
        self._advanced_row(form, "L1", self.l1)
        self._advanced_row(form, "Epochs", self.epochs)
        self._advanced_row(form, "Seed", self.seed)
        self._advanced_row(form, "Ensemble size", self.ensemble)
        self._advanced_row(form, "Loss", self.loss)
        self._advanced_row(form, "Device", self.device)
        return box

    def _probe_group(self) -> QGroupBox:
        box, form = self._group("Probes")
        self.advanced_groups.append(box)
        self.probes = QCheckBox("Information plane and layer statistics")
        self.probes.setToolTip("measure mutual information and gradient statistics on a log-spaced schedule")
        self.probes.toggled.connect(lambda _=None: self._edited("reset", "the probes"))
        self.probes.toggled.connect(lambda _=None: self._enable_dependent())
        self.keyed["probes.enabled"] = self.probes
        self.estimator = self._choice("probes.estimator", "the estimator")
        form.addRow(self.probes)
        form.addRow("Estimator", self.estimator)
        return box

    # ------------------------------------------------------------ reactions

    def _enable_dependent(self) -> None:
        meanfield = self.init.currentData() == "meanfield"
        self.sw2.setEnabled(meanfield)
        self.sb2.setEnabled(meanfield)
        self.momentum.setEnabled(self.optimizer.currentData() == "sgd")
        self.estimator.setEnabled(self.probes.isChecked())

    def _task_changed(self) -> None:
        if self._loading:
            return
        name = self.task.currentData()
        self.task_description.setText(get_task(name).description)
        self.task_options.build(name, {})
        self._edited("reset", "the task")

    def _depth_changed(self) -> None:
        """Every layer as wide as the first: its true width, also beyond the Width slider's end."""
        if self._loading:
            return
        self._set_widths(widths_for_depth(self._last_good.network.hidden, self.depth.value(), self.width.value()))
        self._edited("reset", "the network")

    def _width_changed(self) -> None:
        if self._loading:
            return
        self._set_widths((self.width.value(),) * self.depth.value())
        self._edited("reset", "the network")

    def _show_width(self, widths: tuple[int, ...]) -> None:
        """The slider at the first width (or its end), its caption the true widths."""
        if widths:
            self.width.setValue(min(widths[0], self.width.slider.maximum()))
        self.width.label.setText(width_caption(widths))
        self.width.label.setToolTip(f"hidden widths {', '.join(str(w) for w in widths) or 'none'}")

    def _widths_typed(self) -> None:
        if self._loading:
            return
        try:
            widths = parse_widths(self.widths.text())
        except ConfigError as exc:
            self._restore(str(exc))
            return
        if widths == self._last_good.network.hidden:
            return
        self._set_widths(widths)
        self._edited("reset", "the network")

    def _set_widths(self, widths: tuple[int, ...]) -> None:
        self._loading = True
        try:
            self.widths.setText(", ".join(str(w) for w in widths))
            self.depth.setValue(len(widths))
            self._show_width(widths)
        finally:
            self._loading = False

    def _edited(self, kind: str, what: str) -> None:
        if self._loading:
            return
        try:
            cfg = self.config()
        except ConfigError as exc:
            if self.task.currentData() != self._last_good.task.name:
                # A newly chosen task that is not complete yet (csv without a file): keep it
                # and say what it needs; Start refuses it until then.
                self.refused.emit(str(exc))
                if what == "the task":
                    self.changed.emit(kind, what)
                return
            self._restore(str(exc))
            return
        self._last_good = cfg
        self._show_advanced_note()
        self.changed.emit(kind, what)

    def apply_task(self, name: str, params: dict[str, Any], what: str, loss: str | None = None) -> bool:
        """Put a task with these options (and this loss, if given) in the controls as a user
        change (drawn points, a clicked input feature), under the usual rules (the window may ask
        to reset). True when the settings now hold them; refused or declined, the controls show
        the last good settings."""
        self._loading = True
        try:
            set_combo(self.task, name)
            self.task_description.setText(get_task(name).description)
            self.task_options.build(name, params)
            if loss is not None:
                set_combo(self.loss, loss)
        finally:
            self._loading = False
        self._edited("reset", what)
        held = self._last_good
        if (held.task.name == name and all(held.task.params.get(key) == value for key, value in params.items())
                and loss in (None, held.train.loss)):
            return True
        self.set_config(self._last_good)
        return False

    def toggle_feature(self, name: str) -> bool:
        """A click on an input unit: that input feature switched on or off (a new network)."""
        task = self._last_good.task
        if "features" not in task.params:
            return False
        features = toggled_features(task.params["features"], name)
        return self.apply_task(task.name, {**task.params, "features": features}, "the input features")

    def _restore(self, message: str) -> None:
        """Refuse: put every control back to the last valid config and say why."""
        self.set_config(self._last_good)
        self.refused.emit(message)

    # ------------------------------------------------------------ config in and out

    def config(self) -> Config:
        """The config the controls describe, validated (raises ConfigError)."""
        widths = parse_widths(self.widths.text())
        data: dict[str, dict[str, Any]] = {
            "task": {"name": self.task.currentData(), **self.task_options.values()},
            "network": {"hidden": list(widths)},
        }
        for key, widget in self.keyed.items():
            section, name = key.split(".", 1)
            data.setdefault(section, {})[name] = read_control(widget)
        # Keys the panel has no control for keep the loaded config's values.
        base = replace(self._last_good, task=TaskConfig(name=self.task.currentData()))
        if len(base.network.layer_activations) != len(widths):
            base = replace(base, network=replace(base.network, layer_activations=()))
        return validate(from_dict(data, base=base))

    def set_config(self, cfg: Config) -> None:
        """Show a config in every control, without reporting changes."""
        cfg = validate(cfg)
        self._loading = True
        blocked = [w for w in self.findChildren(QWidget)]
        for widget in blocked:
            widget.blockSignals(True)
        try:
            set_combo(self.task, cfg.task.name)
            self.task_description.setText(get_task(cfg.task.name).description)
            self.task_options.build(cfg.task.name, dict(cfg.task.params))
            self.widths.setText(", ".join(str(w) for w in cfg.network.hidden))
            self.depth.setValue(len(cfg.network.hidden))
            self._show_width(cfg.network.hidden)
            for key, widget in self.keyed.items():
                show_value(widget, get_setting(cfg, key))
        finally:
            for widget in blocked:
                if shiboken6.isValid(widget):  # the task's option widgets were rebuilt
                    widget.blockSignals(False)
            self._loading = False
        self._last_good = cfg
        for widget in self.keyed.values():
            if isinstance(widget, QComboBox):
                describe_current(widget)  # its signals were blocked
        self._enable_dependent()
        self._show_advanced_note()

    def live_params(self) -> dict[str, float]:
        """The live settings by their names in `train` (lr, momentum, ...)."""
        return {key.split(".", 1)[1]: get_setting(self._last_good, key) for key in LIVE_KEYS}


def read_control(widget: QWidget) -> Any:
    if isinstance(widget, QCheckBox):
        return widget.isChecked()
    if isinstance(widget, QComboBox):
        return widget.currentData()
    assert isinstance(widget, (NumberField, LogSlider))
    return widget.value()


def show_value(widget: QWidget, value: Any) -> None:
    if isinstance(widget, QCheckBox):
        widget.setChecked(bool(value))
    elif isinstance(widget, QComboBox):
        set_combo(widget, value)
    else:
        assert isinstance(widget, (NumberField, LogSlider))
        widget.setValue(value)
