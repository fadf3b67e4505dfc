"""Lessons: a ready experiment plus a short text, in one TOML file.

The built-in lessons are `resources/lessons/*.toml`; a teacher writes a file of the same form
and opens it. Every lesson is also a preset of its name (`playground run --preset NAME`).

    name = "parity-wall"          # optional; default: the file name without .toml
    title = "The parity wall"
    order = 4                     # place in the list (optional)
    views = ["loss", "sweep"]     # the app's views to show, the first at the start (see VIEWS)

    [text]
    question = "..."              # required
    what_to_do = "..."            # required
    look_for = "..."              # required
    paper_found = "..."
    caveats = "..."
    sources = ["Author (year), title", ...]

    [settings]                    # a config, exactly as in config.toml
    [settings.task]
    name = "parity"

    [hooks.deficit]               # optional: lesson hooks (see lesson_hooks.HOOK_KINDS)
    kind = "blur"

    [sweep]                       # optional: one setting over a range, several seeds each
    param = "task.n"
    values = [5, 10, 20, 30]
    seeds = 3
    show = "gradient_signal"      # optional: the column the app plots beside the accuracy
    [sweep.settings.30]           # optional: settings that go with one value (config-shaped)
    train.epochs = 400

Every error names the file and the key.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

from playground.core.config import Config, ConfigError, from_dict, validate
from playground.core.experiments.sweep import SweepSpec, check_spec, spec_from_mapping


LESSON_DIR = "lessons"
TEXT_KEYS = ("question", "what_to_do", "look_for", "paper_found", "caveats")
REQUIRED_TEXT = ("question", "what_to_do", "look_for")
TEXT_TITLES = {
    "question": "The question",
    "what_to_do": "What to do",
    "look_for": "What to look for",
    "paper_found": "What the paper found",
    "caveats": "Caveats",
}
# The app's views a lesson may bring forward, the first when its run starts: loss and
# accuracy, information plane, layer statistics, forgetting (task accuracy and matrix), the
# network drawing, the decision boundary, and the lessons' own: modes, sharpness, sweep.
# The core cannot import the app, so the names are written here; a test holds them equal to the
# app's list (playground.ui.views.VIEWS).
VIEWS = ("loss", "info_plane", "layer_stats", "forgetting", "network", "boundary", "modes", "sharpness", "sweep",
         "confusion",
         # lessons 11-19's
         "adversarial", "fooling", "one_pixel", "pruning", "landscape", "curvature", "lazy", "separation",
         "gradient_depth", "double_descent")
TOP_KEYS = ("name", "title", "order", "views", "text", "settings", "hooks", "sweep")
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True)
class Lesson:
    name: str
    title: str
    order: int
    views: tuple[str, ...]
    text: Mapping[str, str]  # TEXT_KEYS present in the file
    sources: tuple[str, ...]
    settings: Mapping[str, Any]  # the [settings] table as written
    config: Config  # validated
    hooks: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # resolved hook settings
    sweep: SweepSpec | None = None
    path: Path | None = None

    def as_text(self) -> str:
        """The lesson's text as plain paragraphs with headings (for the CLI)."""
        parts = [self.title, "=" * len(self.title)]
        for key in TEXT_KEYS:
            if self.text.get(key):
                parts += ["", TEXT_TITLES[key], self.text[key].strip()]
        if self.sources:
            parts += ["", "Sources"] + [f"- {s}" for s in self.sources]
        return "\n".join(parts)


def _where(source: str, message: str) -> ConfigError:
    return ConfigError(f"{source}: {message}")


def _text(data: Mapping[str, Any], key: str, source: str, required: bool) -> str | None:
    value = data.get(key)
    if value is None:
        if required:
            raise _where(source, f"missing key '{key}'")
        return None
    if not isinstance(value, str) or not value.strip():
        raise _where(source, f"{key}: expected non-empty text, got {value!r}")
    return value


def parse_lesson(data: Mapping[str, Any], name: str, source: str, path: Path | None = None) -> Lesson:
    """Check a parsed lesson file; `source` names it in errors."""
    from playground.core.measures.hook_kinds import resolve_hooks

    for key in data:
        if key not in TOP_KEYS:
            raise _where(source, f"unknown key '{key}'; allowed: {', '.join(TOP_KEYS)}")
    name = data.get("name", name)
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise _where(source, f"name: expected lower-case letters, digits and dashes, got {name!r}")
    title = _text(data, "title", source, required=True)
    order = data.get("order", 1000)
    if isinstance(order, bool) or not isinstance(order, int):
        raise _where(source, f"order: expected an integer, got {order!r}")
    views = data.get("views", ["loss"])
    if not isinstance(views, list) or not views:
        raise _where(source, f"views: expected a non-empty list of view names, got {views!r}")
    for view in views:
        if view not in VIEWS:
            raise _where(source, f"views: {view!r} is not one of {', '.join(VIEWS)}")

    text_table = data.get("text")
    if not isinstance(text_table, Mapping):
        raise _where(source, "missing table [text] (question, what_to_do, look_for, ...)")
    allowed_text = (*TEXT_KEYS, "sources")
    for key in text_table:
        if key not in allowed_text:
            raise _where(source, f"unknown key 'text.{key}'; allowed: {', '.join(allowed_text)}")
    text = {}
    for key in TEXT_KEYS:
        value = _text(text_table, key, source, required=key in REQUIRED_TEXT)
        if value is not None:
            text[key] = value
    sources = text_table.get("sources", [])
    if not isinstance(sources, list) or not all(isinstance(s, str) and s.strip() for s in sources):
        raise _where(source, f"text.sources: expected a list of texts, got {sources!r}")

    settings = data.get("settings")
    if not isinstance(settings, Mapping):
        raise _where(source, "missing table [settings] (the run's config, as in config.toml)")
    try:
        config = validate(from_dict(settings))
    except ConfigError as exc:
        raise _where(source, f"settings: {exc}") from None
    try:
        hooks = resolve_hooks(data.get("hooks", {}), config)
    except ConfigError as exc:
        raise _where(source, str(exc)) from None
    sweep = None
    if "sweep" in data:
        try:
            sweep = spec_from_mapping(data["sweep"])
            check_spec(sweep, config, hooks)
        except ConfigError as exc:
            raise _where(source, str(exc)) from None
    return Lesson(
        name=name, title=title, order=order, views=tuple(views), text=text,
        sources=tuple(sources), settings=dict(settings), config=config, hooks=hooks,
        sweep=sweep, path=path,
    )


def load_lesson(path: str | Path) -> Lesson:
    """Read and check a lesson file."""
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read ({getattr(exc, 'strerror', None) or exc})") from None
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    return parse_lesson(data, path.stem, str(path), path)


def lessons_dir() -> Path:
    from playground.core.base.resources import resources_dir

    return resources_dir() / LESSON_DIR


@lru_cache(maxsize=1)
def _builtin() -> tuple[Lesson, ...]:
    folder = lessons_dir()
    lessons = [load_lesson(p) for p in sorted(folder.glob("*.toml"))] if folder.is_dir() else []
    return tuple(sorted(lessons, key=lambda lesson: (lesson.order, lesson.name)))


def builtin_lessons() -> list[Lesson]:
    """The shipped lessons, in their order."""
    return list(_builtin())


def get_lesson(name_or_path: str | Path) -> Lesson:
    """A built-in lesson by name, or a lesson file by path."""
    text = str(name_or_path)
    if text.endswith(".toml") or "/" in text or "\\" in text:
        return load_lesson(text)
    for lesson in _builtin():
        if lesson.name == text:
            return lesson
    names = ", ".join(lesson.name for lesson in _builtin())
    raise ConfigError(f"unknown lesson {text!r}; allowed: {names}, or a lesson .toml file")
