"""Go templates as PocketBase's `$template` renders them: `text/template` syntax with `html/template`'s
contextual autoescaping, in plain Python (no HTTP, no interpreter), so one crossing renders a template.

    load_string(text).render(data)          # a template from text (cached by text)
    load_files(["a.html", "b.html"]).render(data)  # files relative to the working directory, as PocketBase

A parse failure is kept in the ``TemplateSet`` and raised (``TemplateError``, Go's message) by ``render``,
as PocketBase's registry returns it from Render. Modules: lex, parse (syntax), gofmt and builtins (values
and functions), context and escape (html/template's escaper), exec (rendering).
"""
from __future__ import annotations

import os
import re

from .builtins import NAMES
from .exec import render as _render
from .lex import TemplateError
from .parse import parse
from .static import Analysis

__all__ = ["TemplateError", "TemplateSet", "load_string", "load_files"]
_CACHE_LIMIT = 256
_RAW_BYTE = re.compile("[\udc80-\udcff]")


class TemplateSet:
    """Parsed templates (name -> body, parse name, source) and the template to execute."""

    def __init__(self, entry: str, trees=None, error: str | None = None):
        self.entry, self.trees, self.error = entry, trees or {}, error
        self.cache: dict = {}  # (node id, context) -> escaped text / escaper plan
        self.analysis = None   # html/template's checks, made at the first render (as Go escapes then)

    def render(self, data) -> str:
        if self.error is None and self.analysis is None:
            try:
                checked = Analysis(self.trees)
                checked.check(self.entry)
                self.analysis = checked
            except TemplateError as err:
                self.error = str(err)
        if self.error is not None:
            raise TemplateError(self.error)
        if len(self.cache) > 4096:
            self.cache.clear()
        out = _render(self.trees, self.cache, self.analysis, self.entry, data)
        if not out.isascii() and _RAW_BYTE.search(out):  # bytes of a cut rune: the JSVM shows each as U+FFFD
            out = out.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        return out

    def add(self, name: str, text: str) -> None:
        source = text.encode("utf-8")
        for tname, body in parse(name, text, NAMES).items():
            if body is None:
                continue
            known = self.trees.get(tname)
            if known is None or known[0] is None or any(not hasattr(n, "text") or n.text.strip() for n in body):
                self.trees[tname] = (body, name, source)


_SETS: dict = {}


def _remember(key, made):
    if len(_SETS) >= _CACHE_LIMIT:
        _SETS.pop(next(iter(_SETS)))
    _SETS[key] = made
    return made


def load_string(text: str) -> TemplateSet:
    """The template of ``text`` (named ""), parsed once per process per text."""
    key = ("s", text)
    found = _SETS.get(key)
    if found is not None:
        return found
    made = TemplateSet("")
    try:
        made.add("", text)
    except TemplateError as err:
        made.error = str(err)
    return _remember(key, made)


def load_files(paths) -> TemplateSet:
    """Files parsed into one set (each named by its base name; the first is executed), as Go's
    ParseFiles; re-read when a file changes."""
    paths = [str(p) for p in paths]
    if not paths:
        return TemplateSet("", error="html/template: no files named in call to ParseFiles")
    stamps = []
    for path in paths:
        try:
            stamps.append(os.stat(path).st_mtime_ns)
        except OSError:
            stamps.append(None)
    key = ("f", tuple(paths), tuple(stamps))
    found = _SETS.get(key)
    if found is not None:
        return found
    made = TemplateSet(os.path.basename(paths[0]))
    try:
        for path in paths:
            try:
                with open(path, encoding="utf-8", errors="replace") as handle:
                    text = handle.read()
            except OSError as err:
                raise TemplateError(f"open {path}: {_os_text(err)}") from None
            made.add(os.path.basename(path), text)
    except TemplateError as err:
        made.error = str(err)
    return _remember(key, made)


def _os_text(err: OSError) -> str:
    return {2: "no such file or directory", 13: "permission denied", 21: "is a directory"}.get(
        err.errno, (err.strerror or str(err)).lower())
