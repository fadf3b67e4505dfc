"""A whole setup as one line of text to hand to someone: "tnp1:" followed by the URL-safe base64
(no padding) of the zlib-compressed TOML of the config, with the lesson's name, if any, as a
top-level `lesson` key. It fits a web link or a chat message; line breaks and spaces a chat
adds are ignored when it is read back.

    encode_setup(config, lesson=None) -> "tnp1:eJy..."
    decode_setup(text) -> Setup(config, lesson)       # ConfigError (one line) when damaged
"""

from __future__ import annotations

import base64
import binascii
import re
import tomllib
import zlib
from dataclasses import dataclass
from typing import Any, Mapping

import tomli_w

from playground.core.config import Config, ConfigError, from_dict, to_dict, validate
from playground.core.experiments.catalog import get_preset

PREFIX = "tnp1:"
LESSON_KEY = "lesson"
_BASE64URL = re.compile(r"^[A-Za-z0-9_-]*$")
# A setup decompresses to a few kB (more with many drawn points); refuse a "zip bomb".
MAX_TOML_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class Setup:
    config: Config  # validated
    lesson: str | None = None

    def lesson_hooks(self) -> Mapping[str, Mapping[str, Any]] | None:
        """The named lesson's hook tables (None without a lesson or hooks); ConfigError when this
        playground has no lesson of that name."""
        if not self.lesson:
            return None
        lesson = get_preset(self.lesson).lesson
        if lesson is None:
            raise ConfigError(f"setup string: {self.lesson!r} is a preset here, not a lesson")
        return lesson.hooks or None


def encode_setup(config: Config, lesson: str | None = None) -> str:
    data = to_dict(validate(config))
    if lesson:
        data = {LESSON_KEY: lesson, **data}
    packed = zlib.compress(tomli_w.dumps(data).encode("utf-8"), 9)
    return PREFIX + base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


def decode_setup(text: str) -> Setup:
    """The setup a string holds; ConfigError saying what is wrong with a damaged one."""
    body = "".join(str(text).split())
    if not body.startswith(PREFIX):
        start = body[:12] + ("..." if len(body) > 12 else "")
        raise ConfigError(f"setup string: should start with {PREFIX!r}, got {start!r}")
    body = body[len(PREFIX):]
    if not body or not _BASE64URL.match(body) or len(body) % 4 == 1:
        raise ConfigError("setup string: damaged (not URL-safe base64 after 'tnp1:'); copy the whole line again")
    try:
        packed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        inflater = zlib.decompressobj()
        raw = inflater.decompress(packed, MAX_TOML_BYTES)
        if inflater.unconsumed_tail or inflater.unused_data or not inflater.eof:
            raise zlib.error("truncated or too large")
        data = tomllib.loads(raw.decode("utf-8"))
    except (binascii.Error, zlib.error, UnicodeDecodeError, tomllib.TOMLDecodeError):
        raise ConfigError("setup string: damaged (it does not unpack to a config); copy the whole line again") from None
    lesson = data.pop(LESSON_KEY, None)
    if lesson is not None and not isinstance(lesson, str):
        raise ConfigError(f"setup string: lesson: expected a name, got {lesson!r}")
    try:
        config = validate(from_dict(data))
    except ConfigError as exc:
        raise ConfigError(f"setup string: {exc}") from None
    return Setup(config, lesson or None)
