"""Everything a run can start from, by name: the built-in presets, and every built-in lesson
as a preset of its name. Built on first use, so importing it reads no lesson file."""

from __future__ import annotations

from functools import lru_cache

from playground.core.config import ConfigError
from playground.core.experiments import presets
from playground.core.experiments.lessons import Lesson, builtin_lessons, load_lesson
from playground.core.experiments.presets import Preset


def lesson_preset(lesson: Lesson) -> Preset:
    title = f"Lesson {lesson.order}: {lesson.title}" if lesson.order < 1000 else lesson.title
    return Preset(lesson.name, title, lesson.settings, lesson=lesson)


@lru_cache(maxsize=1)
def _catalog() -> dict[str, Preset]:
    catalog = dict(presets.PRESETS)
    for lesson in builtin_lessons():
        if lesson.name in catalog:
            raise ConfigError(f"{lesson.path}: lesson name {lesson.name!r} is already a preset")
        catalog[lesson.name] = lesson_preset(lesson)
    return catalog


def all_presets() -> dict[str, Preset]:
    """Every preset by name (a copy: the catalog itself stays as built)."""
    return dict(_catalog())


def get_preset(name: str) -> Preset:
    """A preset by name, or a lesson file (a path ending in .toml) as a preset."""
    if name.endswith(".toml") or "/" in name or "\\" in name:
        return lesson_preset(load_lesson(name))
    catalog = _catalog()
    if name not in catalog:
        raise ConfigError(f"unknown preset {name!r}; allowed: {', '.join(sorted(catalog))}")
    return catalog[name]
