"""The parse tree of a Go template.

A template body is a list of nodes: ``Text``, ``Action`` (a pipeline to print), ``Branch`` (if, range,
with: a pipeline, a body and an else body), ``Call`` ({{template}}), ``Loop`` ({{break}}/{{continue}}).
A pipeline is commands joined by ``|``; a command is arguments, each an ``Arg`` (kind, value, position) -
kinds field, variable, dot, nil, bool, number, string, ident (a function), pipe (parenthesised), chain.
Every node keeps its byte position, for Go's "template: NAME:LINE:COL" execution errors, and prints as
Go prints it in those errors (`at <...>`).
"""
from __future__ import annotations


class Text:
    __slots__ = ("text",)

    def __init__(self, text):
        self.text = text


class Action:
    __slots__ = ("pos", "line", "pipe")

    def __init__(self, pos, line, pipe):
        self.pos, self.line, self.pipe = pos, line, pipe


class Branch:
    __slots__ = ("kind", "pos", "line", "pipe", "body", "other")

    def __init__(self, kind, pos, line, pipe, body, other):
        self.kind, self.pos, self.line, self.pipe, self.body, self.other = kind, pos, line, pipe, body, other


class Call:
    __slots__ = ("name", "pos", "line", "pipe")

    def __init__(self, name, pos, line, pipe):
        self.name, self.pos, self.line, self.pipe = name, pos, line, pipe


class Loop:
    __slots__ = ("kind", "pos", "line")

    def __init__(self, kind, pos, line):
        self.kind, self.pos, self.line = kind, pos, line


class Pipe:
    __slots__ = ("pos", "decl", "assign", "cmds")

    def __init__(self, pos, decl, assign, cmds):
        self.pos, self.decl, self.assign, self.cmds = pos, decl, assign, cmds

    def __str__(self):
        head = (", ".join(self.decl) + (" = " if self.assign else " := ")) if self.decl else ""
        return head + " | ".join(" ".join(str(a) for a in c.args) for c in self.cmds)


class Command:
    __slots__ = ("pos", "args")

    def __init__(self, pos, args):
        self.pos, self.args = pos, args

    def __str__(self):
        return " ".join(str(a) for a in self.args)


class Arg:
    """kind: field (value: names), variable (value: [name, *fields]), chain (value: (arg, fields)),
    dot, nil, bool, number (value: (number, source)), string (value: (text, source)), ident, pipe."""
    __slots__ = ("kind", "value", "pos")

    def __init__(self, kind, value, pos):
        self.kind, self.value, self.pos = kind, value, pos

    def __str__(self):
        k, v = self.kind, self.value
        if k == "field":
            return "".join("." + n for n in v)
        if k == "variable":
            return v[0] + "".join("." + n for n in v[1:])
        if k == "chain":
            return str(v[0]) + "".join("." + n for n in v[1])
        if k in ("number", "string"):
            return v[1]
        if k == "pipe":
            return "(" + str(v) + ")"
        return {"dot": ".", "nil": "nil"}.get(k, str(v).lower() if k == "bool" else str(v))
