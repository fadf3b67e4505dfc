"""Movies of a run: `playground plot RUN --animate` writes a GIF of the asked number of frames whose
first and last frames differ (the curves grow), each frame equal to the view drawn from the run
truncated at that epoch; a still view gives no movie and says why; without ffmpeg the MP4 is skipped
with a one-line note, with one it is made by the expected command; bad rates are one-line errors."""

import os
import stat
import sys

import numpy as np
import pytest
from PIL import Image

from playground.cli import main
from playground.core.base.fileio import RunFileError
from playground.ui.figures import movie
from playground.ui.figures.animation import animate, frame_image, movie_epochs
from playground.ui.figures.render import discard, drawn_views
from playground.ui.model.reopen import open_history
from playground.ui.model.timeline import check_length, truncated

RUN = ["--preset", "circle", "--set", "task.samples=120", "--set", "network.hidden=[4]",
       "--set", "train.epochs=12", "--set", "train.batch_size=30", "--set", "train.lr=0.05", "--quiet"]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("anim") / "run"
    assert main(["run", *RUN, "--out", str(out)]) == 0
    return out


@pytest.fixture
def no_ffmpeg(monkeypatch, tmp_path):
    """A PATH without ffmpeg (whatever this machine has)."""
    empty = tmp_path / "empty_bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert movie.ffmpeg_path() is None


def gif_frames(path) -> list[np.ndarray]:
    image = Image.open(path)
    frames = []
    for index in range(image.n_frames):
        image.seek(index)
        frames.append(np.asarray(image.convert("RGB")).copy())
    return frames


def test_plot_animate_writes_a_gif_of_the_asked_frames_that_changes(run_dir, tmp_path, capsys, no_ffmpeg):
    out = tmp_path / "movies"
    assert main(["plot", str(run_dir), "--out", str(out), "--animate", "--fps", "3", "--seconds", "2",
                 "--views", "loss,network", "--width", "400"]) == 0
    printed = capsys.readouterr().out
    frames = gif_frames(out / "loss.gif")
    assert len(frames) == 6  # 3 frames/s for 2 s
    assert frames[0].shape[1] == 400
    assert not np.array_equal(frames[0], frames[-1])
    assert Image.open(out / "loss.gif").info["duration"] == pytest.approx(1000 / 3, abs=10)
    # The MP4 is skipped, said once, in one line.
    assert printed.count(f"note: {movie.NO_FFMPEG}") == 1 and not (out / "loss.mp4").exists()
    # The network of a saved run is its last state only: no movie, and a reason.
    assert "skipped network:" in printed and "last state" in printed
    assert sorted(p.name for p in out.iterdir()) == ["loss.gif"]


def test_each_frame_is_the_view_drawn_from_the_run_as_it_stood(run_dir, tmp_path, no_ffmpeg):
    history = open_history(run_dir)
    (view,) = drawn_views(history, keys=("loss",))
    try:
        epochs = movie_epochs(view, history, 3)
        assert list(epochs) == [2, 7, 12]  # from the second epoch (a line needs two points) to the last
        result = animate(view, history, tmp_path / "loss", check_length(3, 1), width=300)
        assert result.written == [tmp_path / "loss.gif"] and result.frames == 3
        # The same view drawn by hand from the run cut at epoch 7, on the whole run's axes.
        view.update_from(history, force=True)
        view.canvas.scene().prepareForPaint()
        ranges = [plot.getViewBox().viewRange() for plot in view.plot_items()]
        view.update_from(truncated(history, 7), force=True)
        for plot, (x_range, y_range) in zip(view.plot_items(), ranges):
            plot.getViewBox().setRange(xRange=x_range, yRange=y_range, padding=0)
        expected = frame_image(view, 300)
    finally:
        discard([view])
    frames = gif_frames(tmp_path / "loss.gif")
    # GIF keeps at most 256 colours a frame: compare after its palette, pixel by pixel.
    assert frames[1].shape == expected.shape
    assert np.mean(np.abs(frames[1].astype(int) - expected.astype(int)) > 40) < 0.01


def fake_ffmpeg(folder, script: str):
    path = folder / "ffmpeg"
    path.write_text(f"#!{sys.executable}\n{script}")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_with_ffmpeg_on_the_path_an_mp4_is_made_beside_the_gif(run_dir, tmp_path, monkeypatch, capsys):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    # Records its arguments and writes the output file, as ffmpeg would.
    fake_ffmpeg(bin_dir, "import sys, pathlib, glob\n"
                         "args = sys.argv[1:]\n"
                         "pathlib.Path(args[-1]).write_bytes(b'mp4 ' + ' '.join(args).encode())\n")
    monkeypatch.setenv("PATH", str(bin_dir) + os.pathsep + os.environ.get("PATH", ""))
    out = tmp_path / "movies"
    assert main(["plot", str(run_dir), "--out", str(out), "--animate", "--fps", "4", "--seconds", "1",
                 "--views", "loss", "--width", "300"]) == 0
    assert "note:" not in capsys.readouterr().out
    args = (out / "loss.mp4").read_bytes().decode()
    assert "-framerate 4" in args and "libx264" in args and "yuv420p" in args
    assert len(gif_frames(out / "loss.gif")) == 4


def test_a_failing_ffmpeg_leaves_the_gif_and_a_one_line_note(run_dir, tmp_path, monkeypatch, capsys):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake_ffmpeg(bin_dir, "import sys\nprint('some detail', file=sys.stderr)\n"
                         "print('Unknown encoder libx264', file=sys.stderr)\nsys.exit(1)\n")
    monkeypatch.setenv("PATH", str(bin_dir))
    out = tmp_path / "movies"
    assert main(["plot", str(run_dir), "--out", str(out), "--animate", "--fps", "2", "--seconds", "1",
                 "--views", "loss", "--width", "300"]) == 0
    notes = [line for line in capsys.readouterr().out.splitlines() if line.startswith("note:")]
    assert len(notes) == 1 and "Unknown encoder libx264" in notes[0]
    assert (out / "loss.gif").exists() and not (out / "loss.mp4").exists()


@pytest.mark.parametrize("flags, message", [
    (["--fps", "0"], "frame rate 0"),
    (["--seconds", "0"], "animation length 0"),
    (["--views", "loss,nonsense"], "no figure 'nonsense'"),
])
def test_bad_animation_settings_are_one_line_errors(run_dir, tmp_path, capsys, flags, message):
    out = tmp_path / "movies"
    assert main(["plot", str(run_dir), "--out", str(out), "--animate", *flags]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err
    assert not out.exists() or not any(out.iterdir())


def test_a_run_of_one_epoch_has_nothing_to_animate(tmp_path, capsys):
    run = tmp_path / "short"
    assert main(["run", *RUN, "--set", "train.epochs=1", "--out", str(run)]) == 0
    out = tmp_path / "movies"
    assert main(["plot", str(run), "--out", str(out), "--animate", "--views", "loss"]) == 0
    assert "skipped loss: Loss & accuracy: the run has 1 logged epoch" in capsys.readouterr().out
    assert not any(out.iterdir())


def test_gif_frames_must_share_one_size():
    with pytest.raises(RunFileError, match="differ in size"):
        movie.gif_bytes([np.zeros((4, 4, 3), np.uint8), np.zeros((4, 5, 3), np.uint8)], 5)
