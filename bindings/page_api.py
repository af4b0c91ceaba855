"""The page API implemented in JavaScript, declared through the same ``@binding`` as any
Python binding: listed by ``pagesvm bindings``, protected against clashes, replaceable
with ``override=True``.

These run inside the interpreter (no round trip to Python): the request and response
families ship as ``bindings/request.js`` / ``bindings/response.js``; the template
machinery (include, echo, slots…) and micro-dash live with the core runtime in
``runtime/render/js``. The functions below only document each name; their bodies never run.
"""
from __future__ import annotations

import os

from .registry import Registry

FAMILY = Registry()  # this family's names; bindings.builtins includes it in a runtime's registry
binding, js_file = FAMILY.binding, FAMILY.js_file

HERE = os.path.dirname(os.path.abspath(__file__))
js_file(os.path.join(HERE, "request.js"))
js_file(os.path.join(HERE, "response.js"))

# -- request family (bindings/request.js) -------------------------------------------------


@binding("params", js=True)
class params:
    """Route parameters over query values (JSON-parsed when they parse)."""


@binding("data", js=True)
class data:
    """What on_request hooks, middleware and loaders returned, merged."""


@binding("request", js=True)
class request:
    """The HTTP request: method, url, headers, header(name), cookies(name?), auth."""


@binding("auth", js=True)
class auth:
    """The signed-in user's record, or undefined."""


@binding("formData", js=True)
def formData(ctx):
    """The parsed request body (also readable as an object: formData.field)."""


@binding("body", js=True)
def body(ctx):
    """The parsed request body: form → object, JSON → value, else text."""


# -- response family (bindings/response.js) -------------------------------------------------


@binding("response", js=True)
class response:
    """The response: status, header, cookie, json, html, write, redirect, file."""


@binding("redirect", js=True)
def redirect(ctx, path, options=None):
    """Redirect to a same-site path (prefix added); options: status, message (→ __flash), external."""


# -- template machinery and helpers (runtime/render/js/context.js, microdash.js) ----------------------


@binding("api", js=True)
class api:
    """The whole context API as one object (what middleware and loaders receive)."""


@binding("echo", js=True)
def echo(ctx, *values):
    """Append values to the output (objects as JSON), joined by a space."""


@binding("include", js=True)
def include(ctx, name, data=None):
    """Render a partial from the nearest _private folder and return it as a string."""


@binding("resolve", js=True)
def resolve(ctx, name, options=None):
    """Load a _private module; options.mode: require, raw, script or style."""


@binding("require", js=True)
def require(ctx, name):
    """CommonJS require of a _private module; 'pocketpages' gives this API."""


@binding("meta", js=True)
def meta(ctx, key, value=None):
    """Read or set a per-request value for layouts (title, description…)."""


@binding("url", js=True)
def url(ctx, text):
    """Parse a URL into href, pathname, query…"""


@binding("stringify", js=True)
def stringify(ctx, value, replacer=None, space=None):
    """JSON.stringify that prints [Circular] instead of failing."""


@binding("asset", js=True)
def asset(ctx, path):
    """URL of a static file with a content fingerprint (under the mount prefix)."""


@binding("slot", js=True)
class slot:
    """In a layout: the content being wrapped."""


@binding("slots", js=True)
class slots:
    """In a layout: named sections (<!-- slot:NAME -->) of the content."""


@binding("forEach", js=True)
def forEach(ctx, collection, fn):
    """Call fn(value, key) for each item of an array or object."""


@binding("keys", js=True)
def keys(ctx, obj):
    """Own keys of an object ([] for null)."""


@binding("values", js=True)
def values(ctx, obj):
    """Own values of an object ([] for null)."""


@binding("merge", js=True)
def merge(ctx, target, *sources):
    """Deep-merge plain objects into target."""


@binding("pick", js=True)
def pick(ctx, obj, *names):
    """A copy of obj with only the named keys."""


@binding("omit", js=True)
def omit(ctx, obj, *names):
    """A copy of obj without the named keys."""


@binding("shuffle", js=True)
def shuffle(ctx, items):
    """A shuffled copy of a list."""
