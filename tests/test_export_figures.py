"""Figures as files, without a window: `playground plot` draws every view of a saved run with the
app's own view classes; exports are atomic, have the requested size, and carry title, axis
labels and legend; bad run folders and unwritable targets give one clear message and no files."""

import errno
import os
import re
import tempfile
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PySide6.QtGui import QImage

from playground.cli import main
from playground.core.runs import final_state
from playground.core.base.fileio import RunFileError
from playground.ui.figures import export
from playground.ui.figures.render import drawn_views, figure_keys
from playground.ui.model.reopen import open_history, run_label

VIEW_KEYS = {"loss", "info_plane", "layer_stats", "forgetting", "network", "boundary"}
ALL_KEYS = set(figure_keys())  # figures added later must be written or skipped
# A 2-D task (boundary), probes (information plane, layer statistics), two tasks (forgetting).
RUN = ["--preset", "circle", "--set", "task.samples=120", "--set", "network.hidden=[4, 3]",
       "--set", "train.epochs=8", "--set", "train.batch_size=30", "--set", "probes.enabled=true",
       "--set", "probes.points=6", "--set", "continual.tasks=2", "--set", "continual.epochs_per_task=4",
       "--quiet"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("runs")
    for name, activation in (("tanh_run", "tanh"), ("relu_run", "relu")):
        assert main(["run", *RUN, "--set", f"network.activation={activation}", "--out", str(base / name)]) == 0
    return base / "tanh_run", base / "relu_run"


def svg_texts(path) -> set[str]:
    """Every piece of text an SVG file draws (it must also parse as XML)."""
    root = ET.parse(path).getroot()
    return {" ".join(el.text.split()) for el in root.iter() if el.tag.endswith("text") and el.text and el.text.strip()}


def test_plot_writes_one_png_per_view_at_the_requested_width(runs, tmp_path, capsys):
    out = tmp_path / "figures"
    assert main(["plot", str(runs[0]), "--out", str(out), "--width", "900"]) == 0
    written = {p.stem for p in out.iterdir()}
    assert VIEW_KEYS <= written and {p.suffix for p in out.iterdir()} == {".png"}
    printed = capsys.readouterr().out
    skipped = set(re.findall(r"^skipped (\w+):", printed, flags=re.M))
    assert written | skipped == ALL_KEYS and not written & skipped
    assert printed.count("wrote ") == len(written)
    for path in out.iterdir():
        image = QImage(str(path))
        assert image.width() == 900, path.name
        assert image.height() > 300, path.name
        # Not a blank canvas: a drawn figure has many distinct colours.
        rgb = image.convertToFormat(QImage.Format.Format_RGB32)  # kept alive while its bits are read
        pixels = np.frombuffer(rgb.constBits(), dtype=np.uint32).copy()
        assert len(np.unique(pixels)) > 20, path.name


def drawn_texts(view) -> dict[str, set[str]]:
    """The titles, axis labels and legend entries a drawn view shows on screen."""
    import pyqtgraph as pg

    titles, axes, legends = set(), set(), set()
    for plot in view.plot_items():
        if plot.titleLabel.isVisible() and plot.titleLabel.text:
            titles.add(" ".join(plot.titleLabel.text.split()))
        for side in ("bottom", "left"):
            axis = plot.getAxis(side)
            if axis.isVisible() and axis.label.isVisible() and axis.labelText:
                axes.add(" ".join(axis.labelText.split()))
    for item in view.canvas.scene().items():
        if isinstance(item, pg.LegendItem):
            legends |= {" ".join(label.text.split()) for _, label in item.items if label.text}
    return {"titles": titles, "axes": axes, "legends": legends}


def test_plot_svg_carries_title_axis_labels_and_legend(runs, tmp_path):
    out = tmp_path / "svg"
    assert main(["plot", str(runs[0]), "--out", str(out), "--format", "svg"]) == 0
    assert {f"{key}.svg" for key in VIEW_KEYS} <= {p.name for p in out.iterdir()}
    views = drawn_views(open_history(runs[0]))
    try:
        shown = {view.key: drawn_texts(view) for view in views if not view.showing_message}
    finally:
        for view in views:
            view.close()
    for key, texts in shown.items():
        in_svg = svg_texts(out / f"{key}.svg")
        for kind, wanted in texts.items():
            assert wanted <= in_svg, (key, kind, wanted - in_svg)
    # What the figures must at least carry (the views' own wording may change).
    assert len(shown["loss"]["titles"]) == 2 and len(shown["loss"]["axes"]) == 3  # "epoch" twice
    assert {"train", "test"} <= shown["loss"]["legends"]
    assert {"L1 tanh 4", "L2 tanh 3", "L3 softmax 2"} <= shown["info_plane"]["legends"]
    assert {"task 1", "task 2"} <= shown["forgetting"]["legends"]
    assert shown["info_plane"]["axes"] and shown["boundary"]["titles"] and shown["layer_stats"]["axes"]


def test_plot_compare_names_both_runs_in_the_legends(runs, tmp_path):
    out = tmp_path / "compare"
    assert main(["plot", str(runs[0]), "--compare", str(runs[1]), "--out", str(out), "--format", "svg"]) == 0
    labels = {run_label(open_history(runs[0])), run_label(open_history(runs[1]))}
    assert labels == {"tanh_run (tanh 4-3)", "relu_run (relu 4-3)"}
    for key in ("loss", "info_plane", "layer_stats", "forgetting"):
        assert labels <= svg_texts(out / f"{key}.svg"), key


def test_plot_skips_views_a_run_has_no_data_for(tmp_path, capsys):
    run = tmp_path / "plain"
    assert main(["run", "--preset", "circle", "--set", "task.samples=120", "--set", "network.hidden=[4]",
                 "--set", "train.epochs=3", "--quiet", "--out", str(run)]) == 0
    out = tmp_path / "figures"
    assert main(["plot", str(run), "--out", str(out)]) == 0
    written = {p.stem for p in out.iterdir()}
    assert {"loss", "network", "boundary"} <= written
    assert not written & {"info_plane", "layer_stats", "forgetting"}
    printed = capsys.readouterr().out
    assert "skipped info_plane: Information plane: enable probes" in printed


def break_config(run):
    (run / "config.toml").write_text("[train\n")
    return "config.toml: not valid TOML"


def newer_config(run):
    text = (run / "config.toml").read_text().replace("version = 1", "version = 7")
    (run / "config.toml").write_text(text)
    return "config.toml: version: this config is from a newer playground"


def unknown_key(run):
    text = (run / "config.toml").read_text().replace("[network]", "[network]\nbatchnorm = true")
    (run / "config.toml").write_text(text)
    return "config.toml: unknown key 'network.batchnorm'"


def ragged_table(run):
    (run / "metrics.csv").write_text("epoch,member,train_loss,train_acc,test_loss,test_acc\n1,0,0.5\n2,0,1,1,1,1\n")
    return "metrics.csv: line 2 has 3 fields"


def damaged_state(run):
    (run / final_state.FINAL_STATE_FILE).write_bytes(b"PK\x03\x04 not really")
    return "final_state.npz: not"


def missing_config(run):
    (run / "config.toml").unlink()
    return "no config.toml; is this a run folder?"


@pytest.mark.parametrize("damage", [break_config, newer_config, unknown_key, ragged_table, damaged_state, missing_config])
def test_plot_refuses_a_bad_run_folder_with_one_line_and_writes_nothing(runs, tmp_path, capsys, damage):
    import shutil

    run = tmp_path / "run"
    shutil.copytree(runs[0], run)
    expected = damage(run)
    before = {p.name: p.read_bytes() for p in run.iterdir()}
    out = tmp_path / "figures"
    assert main(["plot", str(run), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and expected in err and str(run) in err
    assert not out.exists()
    assert {p.name: p.read_bytes() for p in run.iterdir()} == before


def test_final_state_missing_layer_names_the_key(runs, tmp_path):
    path = tmp_path / final_state.FINAL_STATE_FILE
    with np.load(runs[0] / final_state.FINAL_STATE_FILE) as data:
        arrays = {k: data[k] for k in data.files if k != "weights_1"}
    np.savez(path, **arrays)
    with pytest.raises(RunFileError, match="final_state.npz: missing 'weights_1'"):
        final_state.read(tmp_path)


def test_final_state_holds_the_trained_weights(runs):
    """The saved weights are the ones the run ended with: the network's output on the boundary
    grid, recomputed from them by hand, matches the saved boundary probabilities."""
    live = final_state.read(runs[0])
    grid = live["boundary"]
    gx, gy = np.meshgrid(grid.xs, grid.ys)
    h = np.stack([gx.ravel(), gy.ravel()], axis=1)
    for layer, (w, b) in enumerate(zip(live["weights"], live["biases"])):
        h = h @ w[0] + b[0]
        if layer < len(live["weights"]) - 1:
            h = np.tanh(h)
    probs = np.exp(h - h.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(probs.reshape(grid.probs.shape[1:]), grid.probs[0], atol=1e-5)
    assert live["layer_sizes"] == [2, 4, 3, 2]
    assert live["probe_layers"] == ["tanh 4", "tanh 3", "softmax 2"]


@pytest.fixture
def views(runs, qtbot):
    views = drawn_views(open_history(runs[0]))
    yield {view.key: view for view in views}
    for view in views:
        view.close()


def test_export_view_png_width_and_svg(views, tmp_path):
    png = export.export_view(views["info_plane"], tmp_path / "plane.png", width=640)
    assert QImage(str(png)).width() == 640
    svg = export.export_view(views["loss"], tmp_path / "loss", format="svg")
    assert svg.name == "loss.svg" and "Loss" in svg_texts(svg)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["loss.svg", "plane.png"]


def test_export_to_a_read_only_folder_gives_a_clear_error_and_no_file(views, tmp_path, monkeypatch):
    def read_only(*args, **kwargs):  # as root a chmod is not enough: simulate the mount
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    with pytest.raises(RunFileError, match="loss.png: cannot write .Read-only file system"):
        export.export_view(views["loss"], tmp_path / "loss.png")
    assert list(tmp_path.iterdir()) == []


def test_export_to_a_full_disk_keeps_the_old_file_and_leaves_no_temporary(views, tmp_path, monkeypatch):
    target = tmp_path / "loss.png"
    target.write_bytes(b"old figure")

    def full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(RunFileError, match="loss.png: cannot write .No space left"):
        export.export_view(views["loss"], target)
    assert target.read_bytes() == b"old figure"
    assert [p.name for p in tmp_path.iterdir()] == ["loss.png"]


def test_export_views_removes_the_files_it_created_when_one_fails(views, tmp_path, monkeypatch):
    (tmp_path / "info_plane.png").write_bytes(b"kept")
    real_write = export.atomic_write_bytes
    calls = []

    def fail_third(path, data):
        calls.append(path.name)
        if len(calls) == 3:
            raise RunFileError(f"{path}: cannot write (No space left on device)")
        real_write(path, data)

    monkeypatch.setattr(export, "atomic_write_bytes", fail_third)
    ordered = [views[k] for k in ("loss", "info_plane", "layer_stats", "network")]
    with pytest.raises(RunFileError, match="layer_stats.png"):
        export.export_views(ordered, tmp_path, "png", 400)
    # loss.png was new: removed; info_plane.png existed: replaced whole, not deleted.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["info_plane.png"]
    assert (tmp_path / "info_plane.png").read_bytes()[:4] == b"\x89PNG"


def test_bad_width_or_format_is_refused_before_drawing(views, tmp_path):
    with pytest.raises(RunFileError, match="image width 10"):
        export.export_view(views["loss"], tmp_path / "a.png", width=10)
    with pytest.raises(RunFileError, match="export format 'bmp'"):
        export.export_view(views["loss"], tmp_path / "a.bmp")
    assert list(tmp_path.iterdir()) == []


def test_plot_draws_off_screen_by_itself_without_a_display(runs, tmp_path):
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    out = tmp_path / "figures"
    done = subprocess.run([sys.executable, "-m", "playground", "plot", str(runs[0]), "--out", str(out),
                           "--width", "400"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "loss.png" in done.stdout and QImage(str(out / "loss.png")).width() == 400
    assert "propagateSizeHints" not in done.stderr
