"""The `$template` family: PocketBase's template registry for pages (and, later, hook files).

`$template.loadString(text).render(data)` and `$template.loadFiles(...paths).render(data)` render Go
templates with html/template's contextual escaping (bindings/gotemplate/, plain Python). The JavaScript
half (template.js) defines the frozen global; a render is one crossing: the template text (or the file
paths) and the data as JSON go to Python, the HTML comes back. Parsed templates are cached per process
by text, and by path and modification time for files. Paths are relative to the process's working
directory, as PocketBase resolves them (pagesvm serve's working directory, not the site folder).

The engine is imported by the first render, not with this module: its parser, executor and escapers hold ~1 MiB
of every worker (issue 19's RSS goal), which a site that never calls `$template` needn't carry.
"""
from __future__ import annotations

import json
import os

from .registry import Registry

FAMILY = Registry()  # this family's names; bindings.builtins includes it in a runtime's registry
TEMPLATE_JS = FAMILY.js_file(os.path.join(os.path.dirname(os.path.abspath(__file__)), "template.js"))
_INT64 = 2 ** 63
KEPT = 1024  # a render at least this long is kept for the response (Context.last_html)


def _number(text: str):
    """A JSON number as goja exports a JavaScript number: int64 when it is whole and fits, else float64."""
    value = float(text) if any(c in text for c in ".eE") else int(text)
    if isinstance(value, float) and value.is_integer() and -_INT64 <= value < _INT64:
        return int(value)
    return value if -_INT64 <= value < _INT64 else float(value)


class _Numbers(dict):
    """JSON number text -> its value (``_number``), remembered: data repeats its ids, counts and prices
    from render to render, and a dictionary hit costs less than a Python call per number."""

    def __missing__(self, text):
        value = _number(text)
        if len(self) < 8192:
            self[text] = value
        return value


_NUMBERS = _Numbers()
_DECODER = json.JSONDecoder(parse_int=_NUMBERS.__getitem__, parse_float=_NUMBERS.__getitem__)


def render(ctx, kind, spec, data):
    """template.js's `render`: {ok: html} or {error: Go's message}."""
    from .gotemplate import TemplateError, load_files, load_string  # (see the docstring: imported once, then a lookup)

    try:
        found = load_string(str(spec)) if kind == "s" else load_files([str(p) for p in spec])
        html = found.render(_DECODER.decode(data) if data else None)
        if ctx is not None and len(html) >= KEPT:  # e.html(200, html) then needn't carry it back out (render.js)
            ctx.last_html = html
            return {"ok": html, "kept": True}
        return {"ok": html}
    except TemplateError as err:
        return {"error": str(err)}
    except RecursionError:
        return {"error": "template: exceeded maximum template depth"}


FAMILY.add("pv_template.render", render, hidden=True)
