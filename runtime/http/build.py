"""What ``pagesvm serve``'s workers and ``page_rules``/``create_app`` are built on: the site's
``PagesRuntime`` from ``AppSettings`` (given, or made from keyword options that mirror the CLI
flags), and the registry it calls (no ``tornado.web`` here)."""
from __future__ import annotations

import os

from .pipeline import PagesRuntime
from .settings import AppSettings

PACKAGE_PAGES = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "pages")
DEFAULTS = {name: getattr(AppSettings(), name) for name in AppSettings.names()}  # a view, for readers

# Objects rather than settings: handed to the runtime as they are.
PASSED_THROUGH = ("registry", "options", "limits", "admission")


def build_runtime(site: str | None = None, *, settings: AppSettings | None = None, **options):
    """The site's ``PagesRuntime`` and the ``Admission`` checks in front of it.

    ``registry``: the ``bindings.Registry`` pages call (default: a new one with every built-in
    family); the extensions named in the settings are loaded into it.
    """
    passed = {key: options.pop(key) for key in PASSED_THROUGH if key in options}
    if settings is None:
        settings = AppSettings.of(**options)
    elif options:
        raise TypeError(f"build_runtime: settings= given with options {sorted(options)}")
    settings = settings.with_abspath()
    os.makedirs(settings.data_dir, mode=0o700, exist_ok=True)
    admission = passed.pop("admission", None)
    return PagesRuntime(os.path.abspath(site) if site else PACKAGE_PAGES, settings, **passed), admission
