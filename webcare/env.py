"""Typed readers for environment variables that fail loudly on bad values.

Every setting Webcare reads from the environment goes through one of these, so a
typo in production stops the process at start-up with a message naming the
variable, instead of silently falling back to a default.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from django.core.exceptions import ImproperlyConfigured

T = TypeVar("T")


class _Missing:
    def __repr__(self) -> str:
        return "<required>"


REQUIRED = _Missing()

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class EnvError(ImproperlyConfigured):
    pass


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    return value.strip() if value is not None else None


def _read(name: str, default: T | _Missing, parse: Callable[[str], T], hint: str) -> T:
    raw = _raw(name)
    if raw is None or (raw == "" and not isinstance(default, _Missing)):
        if isinstance(default, _Missing):
            raise EnvError(f"Environment variable {name} is required ({hint}).")
        return default
    try:
        return parse(raw)
    except (TypeError, ValueError) as exc:
        detail = f": {exc}" if str(exc) else ""
        raise EnvError(f"Environment variable {name}={raw!r} is not valid ({hint}){detail}.") from None


def env_str(name: str, default: str | _Missing = REQUIRED, *, hint: str = "a string") -> str:
    return _read(name, default, str, hint)


def env_bool(name: str, default: bool | _Missing = REQUIRED) -> bool:
    def parse(raw: str) -> bool:
        lowered = raw.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ValueError("")

    return _read(name, default, parse, "one of true/false, yes/no, on/off, 1/0")


def env_int(
    name: str,
    default: int | _Missing = REQUIRED,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int:
    def parse(raw: str) -> int:
        value = int(raw)
        if minimum is not None and value < minimum:
            raise ValueError(f"must be at least {minimum}")
        if maximum is not None and value > maximum:
            raise ValueError(f"must be at most {maximum}")
        return value

    return _read(name, default, parse, "a whole number")


def env_list(name: str, default: Sequence[str] | _Missing = REQUIRED) -> list[str]:
    def parse(raw: str) -> list[str]:
        return [item.strip() for item in raw.split(",") if item.strip()]

    if not isinstance(default, _Missing):
        default = list(default)
    return _read(name, default, parse, "a comma-separated list")


def env_choice(name: str, choices: Sequence[str], default: str | _Missing = REQUIRED) -> str:
    def parse(raw: str) -> str:
        if raw not in choices:
            raise ValueError("")
        return raw

    return _read(name, default, parse, "one of " + ", ".join(choices))


def env_path(name: str, default: Path) -> Path:
    return _read(name, default, lambda raw: Path(raw).expanduser().resolve(), "a file system path")
