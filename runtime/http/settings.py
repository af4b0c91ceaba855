"""The settings a site's runtime is built with, as one typed, frozen value.

Every default is written here once (or, where a family owns the rule, read from it): the CLI's
flags take their defaults from this class, ``create_app``/``page_rules``/``build_runtime`` map
their keyword options onto it, and a worker receives it serialised and rebuilt through it.
The server-level settings (port, workers, grace…) are ``runtime.serve.settings``.
"""
from __future__ import annotations

import dataclasses
import math
import os
from dataclasses import dataclass, fields

from bindings.request import MAX_FIELDS
from bindings.tokens import DEFAULT_TTL, duration

# The CLI flags' own names (--dev, --data, --ext) are accepted as keyword options too.
ALIASES = {"dev": "debug", "data": "data_dir", "ext": "extensions"}
# The longest duration a setting takes: setitimer (the request time limit) overflows near 1e9 s,
# and nothing a server waits for is longer than a week.
MAX_SECONDS = 7 * 86400


def seconds(name: str, value, *, zero: bool = True) -> float:
    """``value`` as a float number of seconds, or a ValueError naming ``name``: NaN, infinity,
    a string or anything past MAX_SECONDS would pass a plain ``< 0`` check and break a timer later."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{name} must be a number of seconds, got {value!r}")
    if value < 0 or (value == 0 and not zero):
        raise ValueError(f"{name} must be {'0 or more' if zero else 'more than 0'} seconds")
    if value > MAX_SECONDS:
        raise ValueError(f"{name} must be at most {MAX_SECONDS} seconds (7 days), got {value!r}")
    return float(value)


def of_type(name: str, value, kind, what: str):
    """``value`` if it is a ``kind`` (a bool is never taken for a number), else a ValueError."""
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise ValueError(f"{name} must be {what}, got {value!r}")
    return value


@dataclass(frozen=True)
class AppSettings:
    """What ``page_rules``/``create_app`` and each ``pagesvm serve`` worker build a runtime from."""

    data_dir: str = "pagesvm_data"
    debug: bool = False
    prefix: str = ""
    extensions: tuple[str, ...] = ()
    max_output: int = 16 * 1024 * 1024
    max_fields: int = MAX_FIELDS
    timeout: float = 10.0
    auth_ttl: int = DEFAULT_TTL
    allow_exec: bool = False  # $os.cmd/$os.exec may run programs (pagesvm serve --allow-exec)
    api: bool = True  # PocketBase's REST API under /api/ (pagesvm serve --no-api turns it off)
    # A GET or HEAD nothing else answers gets pb_public/index.html when there is one, as PocketBase's
    # --indexFallback (on by default there too) does for single-page apps (pagesvm serve --no-index-fallback).
    index_fallback: bool = True

    def __post_init__(self):
        set_ = object.__setattr__  # frozen: normalised once, here
        stripped = of_type("prefix", self.prefix or "", str, "a URL path").strip("/")
        set_(self, "prefix", "/" + stripped if stripped else "")
        if self.debug not in (True, False):  # 1 and 0 too, never a string such as "false"
            raise ValueError(f"debug must be true or false, got {self.debug!r}")
        set_(self, "debug", bool(self.debug))
        for name in ("allow_exec", "api", "index_fallback"):
            if getattr(self, name) not in (True, False):
                raise ValueError(f"{name} must be true or false, got {getattr(self, name)!r}")
            set_(self, name, bool(getattr(self, name)))
        set_(self, "data_dir", os.fspath(of_type("data_dir", self.data_dir, (str, os.PathLike), "a folder")))
        exts = self.extensions
        exts = [exts] if isinstance(exts, (str, os.PathLike)) else exts
        if not isinstance(exts, (list, tuple)) or not all(isinstance(e, (str, os.PathLike)) for e in exts):
            raise ValueError(f"extensions must be module names or .py files, got {self.extensions!r}")
        set_(self, "extensions", tuple(os.fspath(e) for e in exts))
        for name in ("max_output", "max_fields", "auth_ttl"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"{name} must be an integer, got {value!r}")
        if self.max_fields < 1:
            raise ValueError("max_fields must be at least 1")
        if self.max_output < 1:
            raise ValueError("max_output must be at least 1")
        try:
            duration(str(self.auth_ttl))  # the range --auth-ttl accepts
        except ValueError as e:
            raise ValueError(f"auth_ttl {e}") from None
        set_(self, "timeout", seconds("timeout", self.timeout))

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    @classmethod
    def of(cls, **options) -> AppSettings:
        """From keyword options (the CLI flags' names or their aliases); an unknown one is a TypeError."""
        known = cls.names()
        values = {}
        for key, value in options.items():
            name = ALIASES.get(key, key)
            if name not in known:
                raise TypeError(f"unknown pagesvm option {key!r} (known: {', '.join(sorted(set(known) | set(ALIASES)))})")
            if name == "extensions" and name in values:  # ext= and extensions= together: both lists
                value = list(values[name]) + list(value or ())
            values[name] = value
        return cls(**values)

    def replace(self, **changes) -> AppSettings:
        return dataclasses.replace(self, **changes)

    def with_abspath(self) -> AppSettings:
        """The same settings with ``data_dir`` made absolute (a worker may run from elsewhere)."""
        return self.replace(data_dir=os.path.abspath(self.data_dir))

    def to_json(self) -> dict:
        return {name: list(v) if isinstance(v := getattr(self, name), tuple) else v for name in self.names()}

    @classmethod
    def from_json(cls, data: dict) -> AppSettings:
        """Rebuilt from ``to_json``: a missing or unknown key is an error, not a silent default."""
        return cls(**exact_keys(cls, data))


def exact_keys(cls, data: dict) -> dict:
    """``data`` if its keys are exactly ``cls``'s fields; otherwise a ValueError naming the difference."""
    names = {f.name for f in fields(cls)}
    if not isinstance(data, dict):
        raise ValueError(f"{cls.__name__}: expected an object, got {type(data).__name__}")
    missing, unknown = sorted(names - set(data)), sorted(set(data) - names)
    if missing or unknown:
        raise ValueError(f"{cls.__name__}: missing {missing}, unknown {unknown}")
    return data
