"""html/template's checks before a template runs: the context every branch, loop and template call ends
in, computed without data the way Go's escaper does it (joining the contexts branches end in), so a
template Go refuses is refused here with Go's message, and execution resumes after a branch in the context
Go's rewrite assumed.

``Analysis(trees).check(name)`` raises ``TemplateError`` for: a branch whose arms end in different
contexts, a loop whose body does not come back to its start, a URL action in an ambiguous place, text the
escaper cannot follow, a missing template, and a template ending outside text. ``ends[(id(node), ctx)]``
keeps each branch's end context for exec.py.
"""
from __future__ import annotations

import sys

from . import context as C
from . import escape as E
from .lex import TemplateError
from .nodes import Action, Branch, Call, Text

_STATES = ("stateText stateTag stateAttrName stateAfterName stateBeforeValue stateHTMLCmt stateRCDATA stateAttr "
           "stateURL stateSrcset stateJS stateJSDqStr stateJSSqStr stateJSTmplLit stateJSRegexp stateJSBlockCmt "
           "stateJSLineCmt stateJSHTMLOpenCmt stateJSHTMLCloseCmt stateCSS stateCSSDqStr stateCSSSqStr "
           "stateCSSDqURL stateCSSSqURL stateCSSURL stateCSSBlockCmt stateCSSLineCmt stateError").split()
_DELIMS = ("delimNone", "delimDoubleQuote", "delimSingleQuote", "delimSpaceOrTagEnd")
_URLS = ("urlPartNone", "urlPartPreQuery", "urlPartQueryOrFrag", "urlPartUnknown")
_JS = ("jsCtxRegexp", "jsCtxDivOp", "jsCtxUnknown")
_ATTRS = ("attrNone", "attrScript", "attrScriptType", "attrStyle", "attrURL", "attrSrcset")
_ELEMENTS = ("elementNone", "elementScript", "elementStyle", "elementTextarea", "elementTitle")
URL_UNKNOWN, JS_UNKNOWN = 3, 2


def ctx_text(c) -> str:
    """A context as Go's %v prints it."""
    braces = "[" + " ".join(str(b) for b in c.braces) + "]"
    return (f"{{{_STATES[c.state]} {_DELIMS[c.delim]} {_URLS[c.url]} {_JS[c.js]} {braces} {_ATTRS[c.attr]} "
            f"{_ELEMENTS[c.element]} <nil>}}")


def where(source: bytes, pos: int):
    """(line, byte column) of byte offset ``pos``, as Go's ErrorContext counts them."""
    before = source[:pos]
    return before.count(b"\n") + 1, pos - (before.rfind(b"\n") + 1)


def mangle(name: str, c) -> str:
    """The name Go gives the copy of template ``name`` escaped for context ``c`` (its errors show it)."""
    if c.state == C.TEXT:
        return name
    parts = [name + "$htmltemplate_" + _STATES[c.state]]
    for value, none, names in ((c.delim, C.D_NONE, _DELIMS), (c.url, C.U_NONE, _URLS), (c.js, C.JS_REGEXP, _JS),
                               (c.attr, C.A_NONE, _ATTRS), (c.element, C.E_NONE, _ELEMENTS)):
        if value != none:
            parts.append(names[value])
    return "_".join(parts)


class Analysis:
    def __init__(self, trees):
        self.trees = trees
        self.ends: dict = {}      # (id(branch node), start ctx) -> end ctx
        self.calls: dict = {}     # (template name, start ctx) -> end ctx (start while being computed)
        self.name = ""
        self.missing = None  # the last "no such template" met
        self.compiled: dict = {}  # (template name, start ctx) -> compile.py's (function, end ctx) or None

    def where(self, node) -> str:
        parse_name, source = self.trees[self.name][1:]
        line, col = where(source, node.pos)
        return f"{parse_name}:{line}:{col}"

    def check(self, name: str):
        """Raise Go's escaping error for the template ``name`` run from the start of a document."""
        self.name = name
        try:
            end = self.call(name, C.START, None)
        except C.EscapeError as err:
            raise self.missing or TemplateError(f"html/template:{self.name}: {err}" if self.name
                                                else f"html/template: {err}")
        except TemplateError:
            raise self.missing or sys.exc_info()[1]
        if self.missing:  # Go's escaper goes on past a missing template: the last one met is the error
            raise self.missing
        if end.state != C.TEXT:
            prefix = f"html/template:{name}: " if name else "html/template: "
            raise TemplateError(prefix + "ends in a non-text context: " + ctx_text(end))

    def call(self, name, c, node):
        tree = self.trees.get(name)
        if tree is None or tree[0] is None:
            if node is None:
                raise TemplateError(f'html/template: "{name}" is an incomplete or empty template')
            self.missing = TemplateError(f'html/template:{self.where(node)}: no such template "{name}"')
            return c
        key = (name, c)
        if key in self.calls:
            return self.calls[key]
        self.calls[key] = c  # a recursive call assumes the template ends where it starts
        saved, self.name = self.name, name
        try:
            end = self.walk(tree[0], c)
        finally:
            self.name = saved
        self.calls[key] = end
        return end

    def walk(self, nodes, c):
        for node in nodes:
            kind = type(node)
            if kind is Text:
                c = E.text(c, node.text)[1]
            elif kind is Action:
                if not node.pipe.decl:
                    c = self.action(node, c)
            elif kind is Branch:
                c = self.branch(node, c)
            elif kind is Call:
                c = self.call(node.name, c, node)
        return c

    def action(self, node, c):
        nudged = E.nudge(c)
        cmds = node.pipe.cmds
        for i, cmd in enumerate(cmds):
            head = cmd.args[0]
            if head.kind == "ident" and head.value in ("html", "urlquery") and (
                    i < len(cmds) - 1 or (nudged.state == C.ATTR and nudged.delim == C.D_SPACE and
                                          head.value == "html")):
                raise TemplateError(f'html/template:{self.where(node)}: predefined escaper "{head.value}" '
                                    f"disallowed in template")
        if nudged.state in E._URLISH and nudged.url == URL_UNKNOWN:
            raise TemplateError(f"html/template:{self.where(node)}: {{{{{node.pipe}}}}} appears in an ambiguous "
                                f"context within a URL")
        return E.escapers(c)[1]

    def branch(self, node, c):
        key = (id(node), c)
        if key in self.ends:
            return self.ends[key]
        c0 = self.walk(node.body, c)
        if node.kind == "range":
            try:
                c1 = self.walk(node.body, c0)
            except C.EscapeError as err:  # text the body cannot follow only when it runs a second time
                raise TemplateError(f"html/template:{self.name}:{node.line}: on range loop re-entry: {err}")
            joined = join(c0, c1)
            if joined is None:
                raise TemplateError(f"html/template:{self.where(node)}: on range loop re-entry: {{{{range}}}} "
                                    f"branches end in different contexts: {ctx_text(c0)}, {ctx_text(c1)}")
            c0 = joined
        c1 = self.walk(node.other, c) if node.other is not None else c
        end = join(c0, c1)
        if end is None:
            raise TemplateError(f"html/template:{self.where(node)}: {{{{{node.kind}}}}} branches end in different "
                                f"contexts: {ctx_text(c0)}, {ctx_text(c1)}")
        self.ends[key] = end
        return end


def join(a, b):
    """Go's join: the context after either of two paths, or None when they cannot meet."""
    if a == b:
        return a
    c = a._replace(url=b.url)
    if c == b:
        return c._replace(url=URL_UNKNOWN)
    c = a._replace(js=b.js)
    if c == b:
        return c._replace(js=JS_UNKNOWN)
    na, nb = E.nudge(a), E.nudge(b)
    if not (na == a and nb == b):
        return join(na, nb)
    return None
