"""Copy a run folder elsewhere ("Save run as..."): into a temporary sibling of the target, then
one rename, so the target either appears whole or not at all; an existing target is never touched."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from playground.core.base.fileio import RunFileError
from playground.core.runs.runlog import CONFIG_FILE


def copy_run(source: str | Path, target: str | Path) -> Path:
    source, target = Path(source), Path(target)
    if not (source / CONFIG_FILE).is_file():
        raise RunFileError(f"{source}: no {CONFIG_FILE}; not a run folder to copy")
    if target.exists():
        raise RunFileError(f"{target}: already exists; choose a new name (nothing was overwritten)")
    if target.resolve().is_relative_to(source.resolve()):
        raise RunFileError(f"{target}: is inside the run folder {source}; choose a place outside it")
    if not target.parent.is_dir():
        raise RunFileError(f"{target.parent}: folder does not exist")
    staging = None
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
        # Hidden temporaries of the source (an atomic write in progress) are not part of the run.
        shutil.copytree(source, staging, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".*"))
        os.rename(staging, target)  # refuses a target that meanwhile appeared with files in it
        staging = None
    except (OSError, shutil.Error) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise RunFileError(f"{target}: cannot copy the run there ({reason})") from None
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
    return target
