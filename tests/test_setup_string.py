"""Setup strings (tnp1:...): every preset round-trips exactly; damaged strings are one-line errors."""

import base64
import json
import tomllib
import zlib

import pytest

from playground.cli import main
from playground.core.config import ConfigError, apply_overrides, from_dict, to_dict, validate
from playground.core.experiments.catalog import all_presets, get_preset
from playground.core.experiments.setup_string import PREFIX, decode_setup, encode_setup

PRESETS = sorted(all_presets())


@pytest.mark.parametrize("name", PRESETS)
def test_every_preset_round_trips_exactly(name):
    preset = all_presets()[name]
    config = validate(preset.config())
    lesson = preset.name if preset.lesson is not None else None
    text = encode_setup(config, lesson)
    setup = decode_setup(text)
    assert setup.config == config and setup.lesson == lesson
    assert to_dict(setup.config) == to_dict(config)
    assert encode_setup(setup.config, setup.lesson) == text  # and back again, character for character


def test_the_string_is_zlib_compressed_toml_in_url_safe_base64():
    config = validate(apply_overrides(get_preset("spiral").config(), ['task.features=["x1","x1*x2"]', "train.l1=0.01"]))
    text = encode_setup(config, "a-lesson")
    assert text.startswith(PREFIX) and len(text) < 1000
    body = text[len(PREFIX):]
    assert set(body) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    data = tomllib.loads(zlib.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))).decode())
    assert data.pop("lesson") == "a-lesson"
    assert validate(from_dict(data)) == config


def test_line_breaks_and_spaces_from_a_chat_are_ignored():
    config = validate(get_preset("circle").config())
    text = encode_setup(config)
    wrapped = "  " + "\n".join(text[i:i + 40] for i in range(0, len(text), 40)) + " \n"
    assert decode_setup(wrapped).config == config


def damaged_strings():
    text = encode_setup(validate(get_preset("circle").config()))
    middle = len(text) // 2
    flipped = text[:middle] + ("A" if text[middle] != "A" else "B") + text[middle + 1:]
    not_toml = PREFIX + base64.urlsafe_b64encode(zlib.compress(b"= not toml")).decode().rstrip("=")
    bad_value = PREFIX + base64.urlsafe_b64encode(zlib.compress(b"[train]\nlr = -1\n")).decode().rstrip("=")
    return [
        ("", "should start with 'tnp1:'"),
        ("tnp2:" + text[5:], "should start with 'tnp1:'"),
        (text[:middle], "damaged"),
        (text + "A", "damaged"),
        (flipped, "damaged"),
        (text[:middle] + "!" + text[middle:], "damaged \\(not URL-safe base64"),
        (not_toml, "damaged"),
        (bad_value, "setup string: train.lr: must be > 0"),
    ]


@pytest.mark.parametrize("text, fragment", damaged_strings())
def test_a_damaged_string_is_a_one_line_error(text, fragment):
    with pytest.raises(ConfigError, match=fragment) as caught:
        decode_setup(text)
    assert "\n" not in str(caught.value)


def test_run_setup_trains_the_setup_and_exits_2_on_a_damaged_one(tmp_path, capsys):
    config = validate(apply_overrides(get_preset("circle").config(), ["train.epochs=2", "network.hidden=[3]"]))
    text = encode_setup(config)
    out = tmp_path / "run"
    assert main(["run", "--setup", text, "--quiet", "--out", str(out)]) == 0
    assert json.loads((out / "summary.json").read_text())["epochs_completed"] == 2
    assert validate(from_dict(tomllib.loads((out / "config.toml").read_text()))) == config
    bad = tmp_path / "bad"
    assert main(["run", "--setup", text[:-5], "--out", str(bad)]) == 2
    assert "setup string: damaged" in capsys.readouterr().err and not bad.exists()
    assert main(["run", "--setup", text, "--preset", "circle", "--out", str(bad)]) == 2


def test_run_setup_with_a_lesson_trains_the_lessons_hooks(tmp_path):
    lesson = get_preset("critical-periods").lesson
    assert lesson.hooks
    config = validate(apply_overrides(lesson.config, ["train.epochs=2"]))
    out = tmp_path / "run"
    assert main(["run", "--setup", encode_setup(config, lesson.name), "--quiet", "--out", str(out)]) == 0
    assert (out / "hooks.toml").exists()
    with pytest.raises(ConfigError, match="is a preset here, not a lesson"):
        decode_setup(encode_setup(config, "circle")).lesson_hooks()


def test_the_app_opens_with_the_setup_as_its_initial_config():
    from playground.ui.app import initial_config

    config = validate(apply_overrides(get_preset("spiral").config(), ["train.lr=0.005"]))
    assert initial_config(setup=encode_setup(config)) == config
    with pytest.raises(ConfigError, match="setup string"):
        initial_config(setup="tnp1:%%")
    with pytest.raises(ConfigError, match="--setup alone"):
        initial_config(preset="spiral", setup=encode_setup(config))


def test_main_py_passes_setup_to_the_app():
    from playground.cli import make_parser

    args = make_parser().parse_args(["gui", "--setup", "tnp1:abc"])  # main.py turns `--setup S` into this
    assert args.setup == "tnp1:abc"
