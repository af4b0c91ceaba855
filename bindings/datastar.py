"""``datastar`` in the context API, as ``pocketpages-plugin-datastar`` 0.2 gives it (datastar.js is all of it):
Datastar's server-sent events written into the response, broadcasts of the same patches over the realtime
``datastar`` topic, and the script tags a layout puts in its ``<head>``.

The object is present whether or not ``+config.js`` lists the plugin (as ``pb()`` is); what listing it adds is
the plugin's onRender: a request with ``Datastar-Request: true`` gets its page, without layouts, as one patch of
elements. The functions below only document the JavaScript; they never run.
"""
from __future__ import annotations

import os

from .registry import Registry

FAMILY = Registry()  # this family's names; bindings.builtins includes it in a runtime's registry
binding = FAMILY.binding
FAMILY.js_file(os.path.join(os.path.dirname(os.path.abspath(__file__)), "datastar.js"))


@binding("datastar.patchElements", js=True)
def patchElements(ctx, elements, options=None):
    """A datastar-patch-elements event (options: selector, mode, useViewTransition, eventId, retryDuration)."""


@binding("datastar.patchSignals", js=True)
def patchSignals(ctx, signals, options=None):
    """A datastar-patch-signals event of the JSON text ``signals`` (options: onlyIfMissing, eventId, retryDuration)."""


@binding("datastar.readSignals", js=True)
def readSignals(ctx, request, target):
    """The request's signals (the ``datastar`` query parameter of a GET, else the body) merged into ``target``."""


@binding("datastar.executeScript", js=True)
def executeScript(ctx, script, options=None):
    """A script appended to the page's body (options: autoRemove, attributes, eventId, retryDuration)."""


@binding("datastar.consoleLog", js=True)
def consoleLog(ctx, message, options=None):
    """``console.log(message)`` in the browser, through executeScript."""


@binding("datastar.consoleError", js=True)
def consoleError(ctx, error, options=None):
    """``console.error(message)`` in the browser, through executeScript."""


@binding("datastar.redirect", js=True)
def redirect(ctx, url, options=None):
    """Send the browser to ``url``, through executeScript."""


@binding("datastar.replaceURL", js=True)
def replaceURL(ctx, url, options=None):
    """Replace the browser's URL without navigating, through executeScript."""


@binding("datastar.dispatchCustomEvent", js=True)
def dispatchCustomEvent(ctx, name, detail, options=None):
    """A CustomEvent dispatched on ``document`` or on ``options.selector``'s elements, through executeScript."""


@binding("datastar.prefetch", js=True)
def prefetch(ctx, urls, options=None):
    """Speculation rules prefetching ``urls``, through executeScript."""


@binding("datastar.scripts", js=True)
def scripts(ctx, options=None):
    """The script tags for the layout's head: Datastar from its CDN, ``spa: {scope, selector}``, ``realtime``."""


@binding("datastar.realtime.patchElements", js=True)
def realtimePatchElements(ctx, elements, patch_options=None, realtime_options=None):
    """Broadcast a patch of elements on the realtime ``datastar`` topic (``realtime_options.filter`` chooses who)."""


@binding("datastar.realtime.patchSignals", js=True)
def realtimePatchSignals(ctx, signals, options=None):
    """Broadcast a patch of signals on the realtime ``datastar`` topic."""
