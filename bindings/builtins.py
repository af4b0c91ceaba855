"""pagesvm's own binding families, each a registry of its own (its module's ``FAMILY``, filled
through the same ``binding`` API as any extension), included into the registry a runtime uses.

    registry = builtins.registry()                        # every family
    registry = builtins.registry(["bindings.page_api"])  # the request and response API only
"""
from __future__ import annotations

import importlib

from .registry import REGISTRY, Registry

PAGE_API = "bindings.page_api"  # the request and response API (request.js, response.js, micro-dash)
# The JSVM globals ($security, $filepath, $os, console, sleep, toString…, $template) throw record.js's GoError or
# their own: after the app.
JSVM = ("bindings.security", "bindings.filepath", "bindings.os_api", "bindings.globals", "bindings.http_api", "bindings.mail_api",
        "bindings.realtime_api",
        "bindings.template")
# pb() (the js-sdk plugin) and the auth plugin's helpers: after the JSVM globals they call ($security, $app.settings);
# so are the realtime and datastar plugins' objects (over $app.subscriptionsBroker()).
FAMILIES = (PAGE_API, "bindings.env", "bindings.log", "bindings.auth", "bindings.store", "bindings.app",
            "bindings.host_steps") + JSVM + ("bindings.pb_client", "bindings.realtime_plugin", "bindings.datastar")


def load(registry: Registry = REGISTRY, families=FAMILIES) -> Registry:
    """Include each of ``families`` (module names) in ``registry``, once; returns the registry."""
    for name in families:
        registry.include(name, importlib.import_module(name).FAMILY)
    return registry


def registry(families=FAMILIES) -> Registry:
    """A new registry holding the built-in ``families`` and nothing else."""
    return load(Registry(), families)
