"""``realtime`` in the context API, as ``pocketpages-plugin-realtime`` gives it (realtime_plugin.js is all of it):
custom messages to the realtime clients of ``$app.subscriptionsBroker()`` (bindings/realtime_api.py).

Present whether or not ``+config.js`` lists the plugin, as ``pb()`` is. The functions below only document the
JavaScript; they never run.
"""
from __future__ import annotations

import os

from .registry import Registry

FAMILY = Registry()  # this family's names; bindings.builtins includes it in a runtime's registry
binding = FAMILY.binding
FAMILY.js_file(os.path.join(os.path.dirname(os.path.abspath(__file__)), "realtime_plugin.js"))


@binding("realtime.send", js=True)
def send(ctx, topic, message, options=None):
    """Send ``message`` under ``topic`` to the realtime clients that ``options.filter(clientId, client, topic,
    message)`` keeps; by default those subscribed to ``topic``."""


@binding("realtime.getClientById", js=True)
def getClientById(ctx, client_id):
    """The realtime client with this id (``id()``, ``hasSubscription``, ``send``, ``get``/``set``…), or undefined."""
