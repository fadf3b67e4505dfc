"""Frames (RGB arrays of one size) as movie files: a looping GIF (Pillow) and, where `ffmpeg` is on
the PATH, an MP4 (H.264, playable in slides and browsers). Both are written whole or not at all
(atomic writes, as every figure is). No Qt here.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from playground.core.base.fileio import RunFileError, atomic_write_bytes

FFMPEG_TIMEOUT_S = 300
NO_FFMPEG = "no ffmpeg on the PATH: MP4 skipped (the GIF is written)"


NO_PILLOW = "animations need the Pillow package (pip install pillow)"


def _images(frames: list[np.ndarray]):
    try:
        from PIL import Image
    except ImportError:  # a build that left it out
        raise RunFileError(NO_PILLOW) from None
    if not frames:
        raise RunFileError("animation: no frames to write")
    shapes = {frame.shape for frame in frames}
    if len(shapes) != 1:
        raise RunFileError(f"animation: frames differ in size ({sorted(shapes)})")
    return [Image.fromarray(np.ascontiguousarray(frame, dtype=np.uint8), "RGB") for frame in frames]


def gif_bytes(frames: list[np.ndarray], fps: int) -> bytes:
    """A GIF that loops forever at `fps` frames per second. (Pillow folds a frame identical to
    the one before into it, lengthening that one: the movie keeps its length.)"""
    images = _images(frames)
    buffer = io.BytesIO()
    # GIF delays are in hundredths of a second; Pillow rounds the milliseconds.
    images[0].save(buffer, format="GIF", save_all=True, append_images=images[1:], duration=1000 / fps,
                   loop=0, optimize=False, disposal=1)
    return buffer.getvalue()


def write_gif(frames: list[np.ndarray], path: str | Path, fps: int) -> Path:
    path = Path(path)
    atomic_write_bytes(path, gif_bytes(frames, fps))
    return path


def ffmpeg_path() -> str | None:
    return shutil.which("ffmpeg")


def write_mp4(frames: list[np.ndarray], path: str | Path, fps: int, ffmpeg: str | None = None) -> Path:
    """An MP4 of the frames through ffmpeg; RunFileError (one line) when there is no ffmpeg or
    it fails (its last message line)."""
    ffmpeg = ffmpeg or ffmpeg_path()
    if ffmpeg is None:
        raise RunFileError(NO_FFMPEG)
    images = _images(frames)
    path = Path(path)
    with tempfile.TemporaryDirectory(prefix="playground-movie-") as scratch:
        for index, image in enumerate(images):
            image.save(Path(scratch) / f"frame_{index:05d}.png")
        target = Path(scratch) / "movie.mp4"
        command = [ffmpeg, "-y", "-loglevel", "error", "-framerate", str(fps),
                   "-i", str(Path(scratch) / "frame_%05d.png"),
                   # H.264 in yuv420p wants even sides; pad by a pixel where a side is odd.
                   "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2", "-c:v", "libx264", "-pix_fmt", "yuv420p",
                   "-movflags", "+faststart", str(target)]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=FFMPEG_TIMEOUT_S)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise RunFileError(f"{path}: ffmpeg did not run ({exc})") from None
        if done.returncode != 0 or not target.exists() or target.stat().st_size == 0:
            lines = (done.stderr or "").strip().splitlines() or [f"exit status {done.returncode}"]
            raise RunFileError(f"{path}: ffmpeg could not write the MP4 ({lines[-1]})")
        atomic_write_bytes(path, target.read_bytes())
    return path
