"""The terminal's own settings: remembered server, theme, auto-lock, last staff ID.

Stored as TOML in the user's config dir; `FLOORLINE_*` environment variables
override the file (`FLOORLINE_AUTO_LOCK_SECONDS=60`). A file that cannot be
read is moved aside and reported; the app then starts from defaults rather
than refusing to start on a floor terminal nobody can fix at 3 a.m.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import tomli_w
from platformdirs import user_config_dir
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from themes import DEFAULT_THEME

CONFIG_FILE = "config.toml"
ENV_PREFIX = "FLOORLINE_"


class Settings(BaseModel):
    model_config = ConfigDict(extra="ignore")

    # one address, or the floor's several servers: "https://a:8443,https://b:8443"
    server_url: str | None = None
    theme: str = DEFAULT_THEME
    # seconds without a key press before the terminal locks; 0 turns it off
    auto_lock_seconds: float = Field(default=300.0, ge=0)
    last_staff_id: str | None = None
    # binding id -> keys, as Textual's `App.set_keymap` takes them
    keymap: dict[str, str] = Field(default_factory=dict)

    @field_validator("server_url", mode="before")
    @classmethod
    def _servers_as_list(cls, value: Any) -> Any:
        """A TOML array of addresses means the same as the comma list."""
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return ",".join(value)
        return value


def from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """`FLOORLINE_<SETTING>` variables (any case) as raw values; a mapping is JSON.

    Read by hand rather than with pydantic-settings, whose import alone costs
    the terminal a noticeable share of its start-up.
    """
    wanted = {f"{ENV_PREFIX}{name}".upper(): name for name in Settings.model_fields}
    values: dict[str, Any] = {}
    for key, raw in environ.items():
        name = wanted.get(key.upper())
        if name is None:
            continue
        if Settings.model_fields[name].annotation == dict[str, str]:
            try:
                values[name] = json.loads(raw)
            except ValueError:
                values[name] = raw  # refused by validation, and reported
        else:
            values[name] = raw
    return values


def default_config_dir() -> Path:
    return Path(user_config_dir("floorline"))


class Config:
    """The settings plus where they live; `remember()` writes changes back."""

    def __init__(self, path: Path, settings: Settings, saved: dict[str, Any]) -> None:
        self.path = path
        self.settings = settings
        self._saved = saved  # only what the file holds, so env overrides are not persisted
        self.problem: str | None = None

    def remember(self, **values: Any) -> None:
        """Update settings and the file; a write failure is reported, never raised."""
        self.settings = self.settings.model_copy(update=values)
        self._saved.update({k: v for k, v in values.items() if v is not None})
        for key in [k for k, v in values.items() if v is None]:
            self._saved.pop(key, None)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(tomli_w.dumps(self._saved))
            os.replace(tmp, self.path)
        except OSError as exc:
            self.problem = f"settings not saved ({exc.strerror or exc})"


def load_config(directory: Path | None = None) -> Config:
    path = (directory or default_config_dir()) / CONFIG_FILE
    saved: dict[str, Any] = {}
    problem: str | None = None
    from_file = Settings()
    if path.exists():
        try:
            saved = tomllib.loads(path.read_text())
            from_file = Settings(**saved)
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, ValidationError) as exc:
            problem = _set_aside(path, exc)
            saved = {}
    try:
        # the environment wins over the file
        settings = Settings(**{**saved, **from_environment(os.environ)})
    except ValidationError as exc:
        names = ", ".join(f"{ENV_PREFIX}{str(e['loc'][0]).upper()}" for e in exc.errors())
        problem = f"ignored invalid environment settings: {names}"
        settings = from_file
    config = Config(path, settings, {k: v for k, v in saved.items() if k in Settings.model_fields})
    config.problem = problem
    return config


def _set_aside(path: Path, exc: Exception) -> str:
    backup = path.with_suffix(".toml.bad")
    try:
        os.replace(path, backup)
    except OSError:
        return f"could not read {path} ({_short(exc)}): using defaults"
    return f"could not read {path} ({_short(exc)}): using defaults; the old file is {backup.name}"


def _short(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
