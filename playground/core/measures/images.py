"""Square images as flat input vectors (the digits): their side, checked for a blur."""

from __future__ import annotations

import math

from playground.core.base.errors import ConfigError


def image_side(input_dim: int, factor: int) -> int:
    side = int(round(math.sqrt(input_dim)))
    if side * side != input_dim:
        raise ConfigError(f"hooks.deficit.kind: blur needs square images; this task has {input_dim} inputs")
    if side % factor:
        raise ConfigError(f"hooks.deficit.blur_factor: must divide the image side {side}, got {factor}")
    return side
