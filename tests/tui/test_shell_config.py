"""Terminal settings and the `floorline` command line."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from themes import next_theme, resolve_theme
from tui import cli
from tui.config import load_config


def test_settings_are_remembered_in_toml(tmp_path: Path) -> None:
    config = load_config(tmp_path)
    assert config.settings.auto_lock_seconds == 300 and config.settings.theme == "floor"
    config.remember(server_url="https://floor.example:8765", theme="night")
    again = load_config(tmp_path)
    assert again.settings.server_url == "https://floor.example:8765"
    assert again.settings.theme == "night"


def test_a_corrupt_file_is_reported_set_aside_and_defaults_used(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('theme = "night"\nauto_lock_seconds = [oops')
    config = load_config(tmp_path)
    assert config.problem is not None and "using defaults" in config.problem
    assert config.settings.theme == "floor"
    assert (tmp_path / "config.toml.bad").exists()
    config.remember(theme="high-contrast")
    assert tomllib.loads((tmp_path / "config.toml").read_text()) == {"theme": "high-contrast"}


def test_a_wrong_value_in_the_file_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text("auto_lock_seconds = -5\n")
    config = load_config(tmp_path)
    assert config.problem and "auto_lock_seconds" in config.problem
    assert config.settings.auto_lock_seconds == 300


def test_environment_overrides_the_file_but_is_not_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "config.toml").write_text("auto_lock_seconds = 120\n")
    monkeypatch.setenv("FLOORLINE_AUTO_LOCK_SECONDS", "60")
    config = load_config(tmp_path)
    assert config.settings.auto_lock_seconds == 60
    config.remember(theme="night")
    saved = tomllib.loads((tmp_path / "config.toml").read_text())
    assert saved == {"auto_lock_seconds": 120, "theme": "night"}


def test_a_keymap_can_come_from_the_environment_as_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("floorline_keymap", '{"app.outbox": "O"}')
    config = load_config(tmp_path)
    assert config.problem is None
    assert config.settings.keymap == {"app.outbox": "O"}


def test_a_bad_environment_value_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLOORLINE_AUTO_LOCK_SECONDS", "soon")
    config = load_config(tmp_path)
    assert config.problem and "FLOORLINE_AUTO_LOCK_SECONDS" in config.problem
    assert config.settings.auto_lock_seconds == 300


def test_theme_names_fall_back_and_cycle() -> None:
    assert resolve_theme("night").notice is None
    unknown = resolve_theme("neon")
    assert unknown.name == "floor" and "neon" in (unknown.notice or "")
    assert [next_theme(t) for t in ("floor", "night", "high-contrast")] == [
        "night",
        "high-contrast",
        "floor",
    ]


def test_serve_goes_to_the_backend_command(monkeypatch: pytest.MonkeyPatch) -> None:
    import backend.cli

    seen: list[list[str]] = []

    def backend_main(argv: list[str]) -> int:
        seen.append(argv)
        return 0

    monkeypatch.setattr(backend.cli, "main", backend_main)
    assert cli.main(["serve", "--demo", "--port", "0"]) == 0
    assert seen == [["--demo", "--port", "0"]]


@pytest.mark.parametrize("seconds", ["-1", "nan", "inf"])
def test_an_auto_lock_of_no_real_length_is_refused(
    seconds: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # a NaN would never compare as idle long enough: the terminal would never lock
    assert cli.main(["--auto-lock", seconds]) == 2
    assert "--auto-lock" in capsys.readouterr().err


def test_demo_hint_names_demo_accounts() -> None:
    assert "pb2 / 1002" in cli.demo_hint({"pb2": "1002", "dm1": "3001"})


def test_several_servers_are_one_comma_list_on_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    given: list[str] = []

    def run_app(**options: Any) -> int:
        given.append(options["server"])
        return 0

    monkeypatch.setattr(cli, "run_app", run_app)
    assert cli.main(["--server", " https://a.example:8443/, https://b.example:8443"]) == 0
    assert given == ["https://a.example:8443,https://b.example:8443"]


def test_a_bad_address_in_the_server_list_is_refused_in_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert cli.main(["--server", "https://a.example,b.example"]) == 2
    assert "--server: 'b.example' is not an http:// or https:// address" in capsys.readouterr().err
    # from the config file: named, and the file left as it was
    path = tmp_path / "floorline" / "config.toml"
    path.parent.mkdir()
    path.write_text('server_url = "https://a.example,,ftp://c"\ntheme = "night"\n')
    assert cli.main([]) == 2
    assert f"server_url in {path}: 'ftp://c'" in capsys.readouterr().err
    assert "night" in path.read_text()


def test_the_config_may_list_servers_as_a_toml_array(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(
        'server_url = ["https://a.example", "https://b.example"]\n'
    )
    config = load_config(tmp_path)
    assert config.problem is None
    assert config.settings.server_url == "https://a.example,https://b.example"
