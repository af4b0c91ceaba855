"""What ``pagesvm serve``'s workers and ``page_rules``/``create_app`` are built on: the site's
``PagesRuntime`` from keyword options that mirror the CLI flags (no ``tornado.web`` here)."""
from __future__ import annotations

import os

from .pipeline import PagesRuntime

PACKAGE_PAGES = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "pages")
DEFAULTS = {"data_dir": "pagesvm_data", "debug": False, "prefix": "", "max_output": 16 * 1024 * 1024,
            "max_fields": 1000}


# Keyword names of the CLI flags (--dev, --data, --ext) are accepted as well.
ALIASES = {"dev": "debug", "data": "data_dir", "ext": "extensions"}
PASSED_THROUGH = {"registry", "options", "limits", "admission"}
IN_OPTIONS = {"auth_ttl"}  # flags other families read from ctx.options


def _settings(prefix: str, options: dict) -> dict:
    settings = dict(DEFAULTS)
    extra = {}
    for key, value in options.items():
        key = ALIASES.get(key, key)
        if key in IN_OPTIONS:
            extra[key] = value
        elif key in DEFAULTS or key in PASSED_THROUGH:
            settings[key] = value
        else:
            known = sorted(set(DEFAULTS) | set(ALIASES) | IN_OPTIONS | {"extensions"})
            raise TypeError(f"unknown pagesvm option {key!r} (known: {', '.join(known)})")
    if extra:
        settings["options"] = {**(settings.get("options") or {}), **extra}
    prefix = "/" + (prefix or "").strip("/") if (prefix or "").strip("/") else ""
    settings["prefix"] = prefix
    settings["data_dir"] = os.path.abspath(settings["data_dir"])
    os.makedirs(settings["data_dir"], mode=0o700, exist_ok=True)
    return settings


def build_runtime(site: str | None = None, *, prefix: str = "", extensions=(), **options):
    """The site's ``PagesRuntime`` and the ``Admission`` checks in front of it."""
    from bindings import builtins

    from .extensions import load_extensions

    extensions = list(extensions) + list(options.pop("ext", None) or [])
    settings = _settings(prefix, options)
    builtins.load()  # first, so an extension may replace a built-in with override=True
    load_extensions(extensions)
    admission = settings.pop("admission", None)
    return PagesRuntime(os.path.abspath(site) if site else PACKAGE_PAGES, **settings), admission
