"""Templates compiled to Python functions, once per template and starting context.

html/template decides every action's escaping before the template runs: the context at each node is a
function of the context the template starts in (static.py joins branches and loops the way Go's escaper
does). So a template's body, for one starting context, is turned into Python source (as tornado.template
does): text already escaped for its context becomes string constants, fields become dictionary look-ups,
`if`/`with`/`range` become Python's `if` and `for`, Go variables become locals, and each action calls the
escapers chosen for its context (the common ones inlined for plain strings and integers). A render then
only walks the data. Every generated line carries its template line as a comment (`# name:line`).

Errors keep the interpreter's texts and order: the shared steps (steps.py) raise them, and a template call
still goes through ``Renderer.call``, which names the template and position. A construct not worth
compiling (a field chain on a parenthesised value, `range $x = ...`, text the escaper cannot follow) makes
``compile_template`` answer None, and that template runs in the interpreter (exec.py).
"""
from __future__ import annotations

from functools import reduce

from . import builtins as B
from . import escape as E
from . import steps as S
from .context import EscapeError
from .nodes import Action, Branch, Call, Command, Loop, Text
from .textesc import escape_html


class Unsupported(Exception):
    """A construct left to the interpreter."""


# Escapers applied to a plain `str` (not template.HTML), written inline: "@" is the value.
_INLINE = {"htmlescaper": "EH(@)", "rcdataescaper": "EH(@)", "attrescaper": "EH(@)",
           "urlnormalizer": "PU(@, True)", "urlescaper": "PU(@, False)"}
# Escapers that leave an integer's digits (and sign) as they are: an int64 then prints as str() gives it.
_DIGITS_KEPT = frozenset(("htmlescaper", "rcdataescaper", "attrescaper", "urlnormalizer", "urlescaper",
                          "nospaceescaper", "urlfilter", "jsstrescaper", "jstmpllitescaper"))
_BASE = {"EH": escape_html, "PU": E.process_url, "TRUTH": B.truth, "MISSING": B.MISSING, "PF": S.plain_field,
         "FL": S.fields, "FA": S.field_args, "AP": S.apply, "FAIL": S.fail, "RI": S.range_items,
         "RV": S.range_values, "__builtins__": {"str": str, "dict": dict, "list": list, "int": int}}
_BASE.update({"E_" + name: fn for name, fn in E.ESCAPERS.items()})
_CHAINS: dict = {}


def _general(names):
    """The escapers of ``names`` applied in turn to any value, as exec.Renderer.action does."""
    found = _CHAINS.get(names)
    if found is None:
        funcs = [E.ESCAPERS[n] for n in names]
        first, rest = funcs[0], funcs[1:]
        plain = B.plain
        if not rest:
            def found(v):
                return first(plain(v))
        else:
            def found(v):
                v = first(plain(v))
                for fn in rest:
                    v = fn(v)
                return v
        _CHAINS[names] = found
    return found


class Compiler:
    def __init__(self, analysis, name, ctx):
        self.ends, self.calls, self.name, self.ctx = analysis.ends, analysis.calls, name, ctx
        self.ns = dict(_BASE)  # the generated function's globals
        self.consts: dict = {}  # id(object) -> its global's name
        self.lines = ["def T(R, dot, a):", "    v0 = dot"]
        self.depth, self.count, self.line = 1, 0, 0
        self.pending: list = []  # output not written yet: [literal text or None, local name or None]
        self.scope = [("$", "v0")]  # Go variables in scope -> locals, as exec.Renderer.vars at run time
        self.loose, self.loose_vars = False, frozenset()
        self.label = "".join(ch if ch.isprintable() else "?" for ch in name) or '""'

    # -- output ----------------------------------------------------------------------------------
    def emit(self, line):
        self.lines.append("    " * self.depth + line + (f"  # {self.label}:{self.line}" if self.line else ""))

    def fresh(self, prefix="t"):
        self.count += 1
        return f"{prefix}{self.count}"

    def temp(self, expr):
        name = self.fresh()
        self.emit(f"{name} = {expr}")
        return name

    def const(self, obj):
        name = self.consts.get(id(obj))
        if name is None:
            name = self.consts[id(obj)] = f"k{len(self.consts)}"
            self.ns[name] = obj
        return name

    def flush(self):
        """Write what is pending as one call of `a`: a constant, a local, or an f-string of both."""
        parts, self.pending = self.pending, []
        if not parts:
            return
        if len(parts) == 1:
            self.emit(f"a({parts[0][1] or repr(parts[0][0])})")
            return
        text = "".join(name and "{" + name + "}" or lit.replace("{", "{{").replace("}", "}}") for lit, name in parts)
        self.emit("a(f" + repr(text) + ")")

    def fail(self, node, message):
        self.emit(f"raise FAIL({self.const(node)}, {message!r})")
        return "None"

    # -- nodes -----------------------------------------------------------------------------------
    def body(self, nodes, dot):
        for node in nodes:
            kind = type(node)
            self.line = getattr(node, "line", self.line)
            if kind is Text:
                try:
                    out, self.ctx = E.text(self.ctx, node.text)
                except EscapeError:
                    raise Unsupported() from None
                if out:
                    if self.pending and self.pending[-1][1] is None:
                        self.pending[-1] = [self.pending[-1][0] + out, None]
                    else:
                        self.pending.append([out, None])
            elif kind is Action:
                self.action(node, dot)
            elif kind is Branch:
                self.branch(node, dot)
            elif kind is Call:
                self.call(node, dot)
            elif kind is Loop:
                self.flush()
                self.emit(node.kind)

    def block(self, nodes, dot):
        """A branch's body: its variables end with it; its output is written before it ends."""
        mark, before = len(self.scope), len(self.lines)
        self.depth += 1
        self.body(nodes, dot)
        self.flush()
        if len(self.lines) == before:
            self.emit("pass")
        self.depth -= 1
        del self.scope[mark:]

    def action(self, node, dot):
        pipe = node.pipe
        if pipe.decl:
            self.pipeline(pipe, dot)
            return
        names, after = E.escapers(self.ctx)
        cmds, names = S.rewrite(pipe.cmds, names or ["print"])
        names = tuple(names)
        single = cmds[0].args if len(cmds) == 1 else ()
        if not cmds:  # `{{html}}`: the escapers of nothing, known now
            value = E.ESCAPERS[names[0]]()
            for name in names[1:]:
                value = E.ESCAPERS[name](value)
            self.pending.append([value, None])
            self.ctx = after
            return
        if len(single) == 1 and single[0].kind == "field" and len(single[0].value) == 1:
            field = single[0].value[0]
            value = self.temp(f"{dot}.get({field!r}) if {dot}.__class__ is dict else "
                              f"PF({dot}, {field!r}, {self.const(single[0])}, {self.loose})")
        else:
            value = self.commands(cmds, dot)
        inline = "@"
        for name in names:
            inline = _INLINE.get(name, f"E_{name}(@)").replace("@", inline)
        expr = f"{inline.replace('@', value)} if {value}.__class__ is str else "
        if _DIGITS_KEPT.issuperset(names):
            expr += f"str({value}) if {value}.__class__ is int else "
        elif names[0] != "jsvalescaper":  # the others print an int64 as its digits, as str() does
            expr += f"{inline.replace('@', f'str({value})')} if {value}.__class__ is int else "
        self.pending.append([None, self.temp(expr + f"{self.const(_general(names))}({value})")])
        self.ctx = after

    def branch(self, node, dot):
        start = self.ctx
        end = self.ends.get((id(node), start))
        if end is None:
            raise Unsupported()
        mark = len(self.scope)
        if node.kind == "range":
            self.range(node, dot, start)
        else:
            value = self.pipeline(node.pipe, dot)
            self.flush()
            self.emit(f"if TRUTH({value}):")
            inner, saved = dot, self.loose
            if node.kind == "with":
                inner, self.loose = self.fresh("d"), False
                self.lines.append("    " * (self.depth + 1) + f"{inner} = {value}")
            self.block(node.body, inner)
            self.loose = saved
            if node.other is not None:
                self.ctx = start
                self.emit("else:")
                self.block(node.other, dot)
        del self.scope[mark:]
        self.ctx = end

    def range(self, node, dot, start):
        pipe = node.pipe
        if pipe.assign:
            raise Unsupported()
        decl = pipe.decl
        value = self.pipeline(pipe, dot)
        slots = [local for _, local in self.scope[len(self.scope) - len(decl):]] if decl else []
        self.flush()
        at, items, item = self.const(pipe.cmds[0].args[0]), self.fresh("s"), self.fresh("x")
        if len(decl) == 2:
            self.emit(f"{items} = RI({value}, {at})")
            self.emit(f"for {slots[0]}, {item} in {items}:")
        else:
            self.emit(f"{items} = {value} if {value}.__class__ is list else RV({value}, {at})")
            self.emit(f"for {item} in {items}:")
        if decl:
            self.lines.append("    " * (self.depth + 1) + f"{slots[-1]} = {item}")
        saved = self.loose, self.loose_vars
        self.loose, self.loose_vars = True, self.loose_vars | set(decl[-1:])
        self.block(node.body, item)
        self.loose, self.loose_vars = saved
        if node.other is not None:
            self.ctx = start
            self.emit(f"if not {items}:")
            self.block(node.other, dot)

    def call(self, node, dot):
        value = self.pipeline(node.pipe, dot) if node.pipe is not None else "MISSING"
        start = self.ctx
        end = self.calls.get((node.name, start))
        if end is None:
            raise Unsupported()
        self.flush()
        self.emit(f"R.ctx = {self.const(start)}")
        self.emit(f"R.call({node.name!r}, {value}, {self.const(node)})")
        self.ctx = end

    # -- pipelines: each returns the name of a local (or constant) holding the value -----------------
    def pipeline(self, pipe, dot):
        value = self.commands(pipe.cmds, dot)
        for name in pipe.decl:
            if not pipe.assign:
                local = self.fresh("v")
                self.emit(f"{local} = {value}")
                self.scope.append((name, local))
                continue
            local = self.lookup(name)
            if local is None:
                self.fail(pipe.cmds[-1].args[-1], f"undefined variable: {name}")
            else:
                self.emit(f"{local} = {value}")
        return value

    def commands(self, cmds, dot):
        """Each command's value piped into the next (None: nothing piped yet)."""
        return reduce(lambda value, cmd: self.command(cmd, dot, value), cmds, None)

    def command(self, cmd, dot, final):
        first = cmd.args[0]
        kind = first.kind
        if kind == "ident":
            return self.function(cmd, first.value, cmd.args[1:], final, dot)
        if final is not None or len(cmd.args) > 1:
            if kind == "chain":
                raise Unsupported()
            names = first.value if kind == "field" else first.value[1:] if kind == "variable" else []
            if not names:
                return self.fail(first, f"can't give argument to non-function {first}")
            base = self.variable(first.value[0], first) if kind == "variable" else dot
            loose = kind == "field" and self.loose or kind == "variable" and first.value[0] in self.loose_vars
            return self.temp(f"FA({base}, {tuple(names)!r}, {self.const(first)}, {bool(loose)})")
        if kind == "nil":
            return self.fail(cmd, "nil is not a command")
        return self.arg(first, dot)

    def arg(self, a, dot):
        kind = a.kind
        if kind == "field":
            return self.fields(dot, a.value, a, self.loose)
        if kind == "dot":
            return dot
        if kind == "variable":
            base = self.variable(a.value[0], a)
            return self.fields(base, a.value[1:], a, a.value[0] in self.loose_vars) if len(a.value) > 1 else base
        if kind in ("string", "number"):
            return self.const(a.value[0])
        if kind == "bool":
            return self.const(a.value)
        if kind == "nil":
            return "None"
        if kind == "pipe":
            mark = len(self.scope)
            value = self.pipeline(a.value, dot)
            del self.scope[mark:]
            return value
        if kind == "ident":
            return self.function(Command(a.pos, [a]), a.value, [], None, dot)
        raise Unsupported()

    def fields(self, base, names, node, loose):
        if len(names) == 1:
            return self.temp(f"{base}.get({names[0]!r}, MISSING) if {base}.__class__ is dict else "
                             f"FL({base}, {tuple(names)!r}, {self.const(node)}, {bool(loose)})")
        return self.temp(f"FL({base}, {tuple(names)!r}, {self.const(node)}, {bool(loose)})")

    def lookup(self, name):
        for var, local in reversed(self.scope):
            if var == name:
                return local
        return None

    def variable(self, name, node):
        local = self.lookup(name)
        if local is None:
            return self.fail(node, f"undefined variable: {name}")
        return self.temp(local)  # a copy: a later `$x = ...` in the same pipeline must not change it

    def function(self, cmd, name, args, final, dot):
        wrong = S.arity_error(name, len(args) + (final is not None), len(args))
        if wrong:
            return self.fail(cmd.args[0], wrong)
        if name in ("and", "or"):  # lazily: each operand only while the answer is not known
            result, opened = self.fresh(), 0
            operands = [*args, None] if final is not None else list(args)
            for i, a in enumerate(operands):
                self.emit(f"{result} = {self.arg(a, dot) if a is not None else final}")
                if i < len(operands) - 1:
                    self.emit(f"if {'' if name == 'and' else 'not '}TRUTH({result}):")
                    self.depth += 1
                    opened += 1
            self.depth -= opened
            return result
        values = [self.arg(a, dot) for a in args] + ([final] if final is not None else [])
        first = args[0] if args else cmd.args[0]
        return self.temp(f"AP({name!r}, {self.const(cmd)}, {self.const(first)}, {', '.join(values)})")


def compile_template(trees, analysis, name, ctx):
    """(function(R, dot, append), the context it ends in) for template ``name`` run from ``ctx``, or None
    when the interpreter should run it."""
    made = Compiler(analysis, name, ctx)
    try:
        made.body(trees[name][0], "dot")
        made.flush()
        code = compile("\n".join(made.lines), f"<template {made.label}>", "exec")
    except (Unsupported, SyntaxError, RecursionError):
        return None
    exec(code, made.ns)  # noqa: S102 - source generated above from the parsed template
    return made.ns["T"], made.ctx
