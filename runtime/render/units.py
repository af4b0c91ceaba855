"""Compiled units (templates, markdown pages, modules) for one interpreter.

A unit is compiled once and reused until its file's mtime or size changes. Each unit
is evaluated after ``base`` newlines of padding, so it owns the lines
``base+1 … base+lines`` in QuickJS stack traces: ``locate(line)`` turns any line of
any stack back into ``(file, template line)``.

Python decides what the interpreter holds: every record it hands out (payload or host
reply) is defined there, a unit that fails to compile included (as its error). A
partial included with data gets one variant per set of keys it actually mentions, at
most ``MAX_VARIANTS`` per file; a dropped variant is freed in the interpreter too.
"""
from __future__ import annotations

import bisect
import json
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass, field

from .ejs_compiler import DYNAMIC_NAMES_RE, RENDER_PARAMS, CompiledTemplate, TemplateSyntaxError, compile_template
from .site import Signature, Site

_FRONT_MATTER_RE = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
# Runs of characters that can be part of a JavaScript identifier (any non-ASCII character
# counts): a superset of the names a template can use as bare variables.
_WORD_RE = re.compile(r"[^\s!-#%-/:-@\[-^`{-~]+")
MODULE_PARAMS = "module,exports,require,__filename,__dirname"
MAX_VARIANTS = 16  # include-data variants of one file held at once; the oldest is dropped first


@dataclass
class Unit:
    id: str
    path: str
    kind: str
    signature: Signature
    base: int
    source: str
    lines: int
    template: CompiledTemplate | None = None
    front_matter: dict = field(default_factory=dict)
    # [parameters, start, tail] of the function whose body (source[start:-tail]) holds the file's code:
    # core.js refuses the unit unless that body parses as a function body on its own. Counted in the
    # ASCII wrapper only, so they mean the same in JavaScript's UTF-16 units.
    frame: list = field(default_factory=list)

    def template_line(self, line_in_unit: int) -> int:
        if not self.template:
            return line_in_unit
        # Only a parse error can stop on the closing line: blame the bracket left open.
        if line_in_unit == self.lines and self.template.unclosed_line:
            return self.template.unclosed_line
        return self.template.template_line(line_in_unit)


def unit_id(path: str, kind: str, keys=()) -> str:
    """The unit's name in both halves (core.js ``unitId``): the kind is part of it, so an
    include of a file and a require of the same file are separate units."""
    return f"{kind}:{path}|{','.join(keys)}" if keys else f"{kind}:{path}"


def template_words(text: str) -> frozenset | None:
    """Words of a template that may name an include-data key, or None when any key may be used.

    A template compiled for ``include(name, data)`` binds the data keys as locals; keys it
    never mentions cannot be read as bare names, so they need no variant of their own
    (``locals`` still holds every key).
    """
    if DYNAMIC_NAMES_RE.search(text):  # code naming a variable without writing it out: every key may be used
        return None
    return frozenset(_WORD_RE.findall(text))


def split_front_matter(text: str) -> tuple[dict, str]:
    """Front matter (YAML) and the body, with line numbers kept."""
    match = _FRONT_MATTER_RE.match(text)
    if not match:
        return {}, text
    from .markdown import parse_front_matter  # YAML, as PocketPages' front-matter package; loaded on first use

    meta = parse_front_matter(match.group(1))
    blank = "\n" * match.group(0).count("\n")
    return meta, blank + text[match.end():]


class UnitCache:
    def __init__(self, site: Site, api_names: tuple[str, ...], ejs_in_markdown: bool = True):
        self.site = site
        self.api_names = tuple(api_names)
        self.ejs_in_markdown = ejs_in_markdown
        self.units: dict[str, Unit] = {}
        self._bases: list[int] = []
        self._by_base: dict[int, Unit] = {}
        self._next_base = 0
        self._variants: dict[tuple, dict[tuple, None]] = {}  # (path, kind) -> data key sets held, oldest first
        self._words: dict[str, tuple[Signature, frozenset | None]] = {}  # template path -> its words
        self._front_matter: dict[str, dict] = {}
        self._retired: list[Unit] = []  # replaced or dropped: kept for locating errors until the next batch
        self._resolved: dict[str, str] = {}  # path -> checked absolute path (one stat per request, not a realpath walk)
        self.compiles = 0  # how many units were compiled (tests and logs read it)
        self._checked: dict[str, Signature | None] | None = None  # during one batch: path -> signature

    @contextmanager
    def one_check_per_file(self):
        """Within the block, each file's signature is read once (one stat per batch, not per request)."""
        self._purge_retired()
        self._checked = {}
        try:
            yield
        finally:
            self._checked = None

    def forget_interpreter(self) -> None:
        """The interpreter was replaced: everything must be sent again."""
        self._retired.extend(self.units.values())
        self.units.clear()
        self._variants.clear()

    def unsent(self, ids) -> None:
        """Units handed out but never delivered to the interpreter: hand them out again."""
        for uid in ids:
            self.units.pop(uid, None)

    def ensure(self, path: str, kind: str, keys=()) -> list:
        """Unit records to send to the interpreter: none when it holds the current unit.

        For a template, ``keys`` (the include data's names) are narrowed to the words the
        template uses, as core.js ``unitId`` does; a file holds at most ``MAX_VARIANTS``
        variants, and making one more drops the oldest (a record with no source).
        """
        signature = self._signature(path)
        if signature is None:
            raise FileNotFoundError(path)
        records = []
        keys = self._narrow(path, kind, keys, signature)
        uid = unit_id(path, kind, keys)
        held = self.units.get(uid)
        if held is not None and held.signature == signature:
            return records
        if len(self._retired) > 256:  # many variants made within one batch: keep memory bounded anyway
            self._purge_retired()
        unit = self._compile(uid, path, kind, keys, signature)
        if held is not None:
            self._retired.append(held)
        self.units[uid] = unit
        variants = self._variants.setdefault((path, kind), {})
        variants[keys] = None
        while len(variants) > MAX_VARIANTS:
            oldest = next(iter(variants))
            del variants[oldest]
            records.append(self._drop(unit_id(path, kind, oldest), kind))
        # The words go with every template's first unit, whatever its keys: the interpreter narrows a later
        # include's keys by them (core.js unitId) exactly as _narrow does here, or it would ask for a variant
        # that this cache reports as held (a partial included by a page, then by a layout).
        words = self._template_words(path, signature) if kind != "module" else None
        records.append([unit.id, unit.kind, unit.base, unit.source, path, sorted(words) if words is not None else None,
                        unit.frame])
        return records

    def _narrow(self, path: str, kind: str, keys, signature: Signature) -> tuple:
        """The data keys a variant of this file binds: those its text mentions, in the given order."""
        if keys and kind != "module":
            words = self._template_words(path, signature)
            if words is not None:
                return tuple(key for key in keys if key in words)
        return tuple(keys)

    def _drop(self, uid: str, kind: str) -> list:
        """The record that makes the interpreter free a unit (its functions go with it)."""
        unit = self.units.pop(uid, None)
        if unit is not None:
            self._retired.append(unit)
        return [uid, kind, 0, None]

    def _template_words(self, path: str, signature: Signature) -> frozenset | None:
        cached = self._words.get(path)
        if cached is None or cached[0] != signature:
            cached = self._words[path] = (signature, template_words(self.site.read_source(path)))
        return cached[1]

    def _purge_retired(self) -> None:
        """Forget the line ranges of units the interpreter no longer holds (their sources go too)."""
        if not self._retired:
            return
        for unit in self._retired:
            if self._by_base.get(unit.base) is unit:
                del self._by_base[unit.base]
        self._bases = sorted(self._by_base)
        self._retired = []

    def _signature(self, path: str) -> Signature | None:
        checked = self._checked
        if checked is None:
            return self._stat(path)
        if path not in checked:
            checked[path] = self._stat(path)
        return checked[path]

    def _stat(self, path: str) -> Signature | None:
        """mtime and size. The root check (realpath) runs once per path; reading a changed file
        goes through ``Site`` again, so a file swapped for an outside symlink is still refused."""
        full = self._resolved.get(path)
        if full is None:
            try:
                full = self._resolved[path] = self.site.source_path(path)
            except PermissionError:
                return None
        try:
            st = os.stat(full)
        except OSError:
            self._resolved.pop(path, None)
            return None
        return Signature(st.st_mtime_ns, st.st_size)

    def ensure_variants(self, path: str, kind: str) -> list:
        """``ensure`` for a file and every include-data variant of it the interpreter holds.

        The interpreter reuses a variant it holds without asking; a partial found again
        (once per request) is where an edit to it is noticed. A variant the edited file
        no longer needs (a key it stopped using) is dropped.
        """
        sent = []
        variants = self._variants.get((path, kind), {})
        for keys in list(variants):  # variants not held yet are asked for when used
            if keys not in variants:
                continue  # dropped as the oldest meanwhile
            sent.extend(self.ensure(path, kind, keys))
            if keys in variants and self._narrow(path, kind, keys, self._signature(path)) != keys:
                del variants[keys]
                sent.append(self._drop(unit_id(path, kind, keys), kind))
        return sent

    def _compile(self, uid: str, path: str, kind: str, keys: tuple, signature: Signature) -> Unit:
        text = self.site.read_source(path)
        template = None
        front_matter: dict = {}
        if kind == "markdown":
            from .markdown import FrontMatterError

            try:
                front_matter, text = split_front_matter(text)
            except FrontMatterError as e:
                raise TemplateSyntaxError(e.message, path, e.line) from None
            if not self.ejs_in_markdown:
                text = text.replace("<%", "<%%")
        if kind in ("template", "markdown"):
            template = compile_template(text, path, self.api_names, keys)
            source = template.source
            frame = [RENDER_PARAMS, template.body_start, template.body_tail]
        else:
            if path.endswith(".json"):
                try:  # a broken JSON module fails here, at its own file and line
                    json.loads(text)
                except json.JSONDecodeError as e:
                    raise TemplateSyntaxError(f"invalid JSON: {e.msg}", path, e.lineno) from None
                params, head = "module", "(function(module){module.exports="
            else:
                params, head = MODULE_PARAMS, "(function(" + MODULE_PARAMS + "){"
            source = head + text + "\n})"
            frame = [params, head.index("{") + 1, len("})")]
        self.compiles += 1
        if kind == "markdown":
            self._front_matter[path] = front_matter
        base = self._next_base
        lines = source.count("\n") + 1
        self._next_base += lines + 1
        unit = Unit(uid, path, kind, signature, base, source, lines, template, front_matter, frame)
        self._bases.append(base)
        self._by_base[base] = unit
        return unit

    def locate(self, line: int) -> tuple[Unit, int] | None:
        """Which unit owns absolute stack line ``line``, and the file line it stands for."""
        index = bisect.bisect_left(self._bases, line) - 1
        if index < 0:
            return None
        unit = self._by_base[self._bases[index]]
        offset = line - unit.base
        if not 1 <= offset <= unit.lines:
            return None
        return unit, unit.template_line(offset)

    def front_matter(self, path: str) -> dict:
        return self._front_matter.get(path, {})
