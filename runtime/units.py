"""Compiled units (templates, markdown pages, modules) for one interpreter.

A unit is compiled once and reused until its file's mtime or size changes. Each unit
is evaluated after ``base`` newlines of padding, so it owns the lines
``base+1 … base+lines`` in QuickJS stack traces: ``locate(line)`` turns any line of
any stack back into ``(file, template line)``.
"""
from __future__ import annotations

import bisect
import json
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass, field

from .ejs_compiler import CompiledTemplate, TemplateSyntaxError, compile_template
from .site import Signature, Site

_FRONT_MATTER_RE = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)


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


def split_front_matter(text: str) -> tuple[dict, str]:
    """Front matter (YAML) and the body, with line numbers kept."""
    match = _FRONT_MATTER_RE.match(text)
    if not match:
        return {}, text
    from .markdown_render import parse_front_matter  # YAML, as PocketPages' front-matter package; loaded on first use

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
        self._variants: dict[tuple, set[tuple]] = {}  # (path, kind) -> include-data key sets compiled for it
        self._resolved: dict[str, str] = {}  # path -> checked absolute path (one stat per request, not a realpath walk)
        self.compiles = 0  # how many units were compiled (tests and logs read it)
        self._checked: dict[str, Signature | None] | None = None  # during one batch: path -> signature

    @contextmanager
    def one_check_per_file(self):
        """Within the block, each file's signature is read once (one stat per batch, not per request)."""
        self._checked = {}
        try:
            yield
        finally:
            self._checked = None

    def forget_interpreter(self) -> None:
        """The interpreter was replaced: everything must be sent again."""
        self.units.clear()
        self._variants.clear()

    def unsent(self, ids) -> None:
        """Units handed out but never delivered to the interpreter: hand them out again."""
        for uid in ids:
            self.units.pop(uid, None)

    def ensure(self, path: str, kind: str, keys=()) -> list | None:
        """The unit to send to the interpreter, or None when it holds the current one."""
        signature = self._signature(path)
        if signature is None:
            raise FileNotFoundError(path)
        uid = unit_id(path, kind, keys)
        held = self.units.get(uid)
        if held is not None and held.signature == signature:
            return None
        unit = self._compile(uid, path, kind, tuple(keys), signature)
        self.units[uid] = unit
        self._variants.setdefault((path, kind), set()).add(tuple(keys))
        return [unit.id, unit.kind, unit.base, unit.source]

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
                full = self._resolved[path] = self.site.abspath(path)
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
        (once per request) is where an edit to it is noticed.
        """
        sent = []
        for keys in sorted(self._variants.get((path, kind), ())):  # variants not held yet are asked for when used
            unit = self.ensure(path, kind, keys)
            if unit:
                sent.append(unit)
        return sent

    def _compile(self, uid: str, path: str, kind: str, keys: tuple, signature: Signature) -> Unit:
        text = self.site.read_source(path)
        template = None
        front_matter: dict = {}
        if kind == "markdown":
            from .markdown_render import FrontMatterError

            try:
                front_matter, text = split_front_matter(text)
            except FrontMatterError as e:
                raise TemplateSyntaxError(e.message, path, e.line) from None
            if not self.ejs_in_markdown:
                text = text.replace("<%", "<%%")
        if kind in ("template", "markdown"):
            template = compile_template(text, path, self.api_names, keys)
            source = template.source
        elif path.endswith(".json"):
            json.loads(text)  # a broken JSON module fails here, naming the file
            source = "(function(module){module.exports=" + text + "\n})"
        else:
            source = "(function(module,exports,require,__filename,__dirname){" + text + "\n})"
        self.compiles += 1
        base = self._next_base
        lines = source.count("\n") + 1
        self._next_base += lines + 1
        unit = Unit(uid, path, kind, signature, base, source, lines, template, front_matter)
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
        unit = self.units.get(unit_id(path, "markdown"))
        return unit.front_matter if unit else {}
