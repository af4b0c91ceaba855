"""Go `text/template`'s execution, with `html/template`'s escaping applied as the output is written.

Go's html/template rewrites a template once: it follows the HTML context through the text statically and
appends escaper functions to every action's pipeline. Here the context is followed while rendering
(each text node moves it, escape.text), and an action's value passes through the escapers for the context
it stands in (escape.escapers), rewritten as Go's ensurePipelineContains does; both steps are cached per
node and context on the template set. Well-formed templates render the same bytes; what Go rejects at
escape time is refused before by static.py. A template call runs the template compiled for its starting
context (compile.py) when it could be compiled, else walks it here.
"""
from __future__ import annotations

from . import builtins as B
from . import escape as E
from .compile import compile_template
from .context import START, EscapeError
from .lex import TemplateError
from .nodes import Action, Branch, Call, Command, Loop, Text
from .static import mangle, where as _where
from .steps import ExecError, apply, rewrite, arity_error, field_args, fail, fields, range_items

COMPILE = True  # run templates compiled (compile.py); False: the interpreter only (tests compare both)
_UNSEEN = object()
MAX_DEPTH = 200  # nested {{template}} calls (Go allows 100000; Python's stack does not)


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


class Renderer:
    """One execution of a template set (``trees``: name -> (body, parse name, source bytes))."""

    def __init__(self, trees, cache, analysis):
        self.trees, self.cache, self.ends, self.calls = trees, cache, analysis.ends, analysis.calls
        self.analysis, self.compiled = analysis, analysis.compiled
        self.out, self.ctx, self.vars = [], START, []
        self.root, self.name, self.depth = None, "", 0
        self.loose, self.loose_vars = False, set()  # dot / variables holding a range's elements as is
        self.at = None

    def run(self, name, data):
        self.root = data
        dot = B.MISSING if data is None else data
        self.call(name, dot, None)
        return "".join(self.out)

    def call(self, name, dot, at):
        tree = self.trees.get(name)
        if tree is None or tree[0] is None:
            if at is None:
                raise TemplateError(f'html/template: "{name}" is undefined')
            parse_name, source = self.trees[self.name][1:]
            line, col = _where(source, at.pos)
            raise TemplateError(f'html/template:{parse_name}:{line}:{col}: no such template "{name}"')
        if self.depth >= MAX_DEPTH:
            raise fail(at, f"exceeded maximum template depth ({MAX_DEPTH})")
        start = self.ctx
        saved = self.vars, self.name, self.loose, self.loose_vars
        self.vars, self.name, self.loose, self.loose_vars = [("$", dot)], name, False, set()
        self.depth += 1
        try:
            found = self.compiled.get((name, start), _UNSEEN)
            if found is _UNSEEN:
                found = self.compiled[(name, start)] = compile_template(self.trees, self.analysis, name, start) \
                    if COMPILE else None
            if found is None:
                self.walk(dot, tree[0])
            else:
                found[0](self, dot, self.out.append)
                self.ctx = found[1]
        except ExecError as err:
            if err.pos is None:
                raise
            parse_name, source = tree[1:]
            line, col = _where(source, err.pos)
            raise TemplateError(f'template: {parse_name}:{line}:{col}: executing "{mangle(name, start)}" at '
                                f"<{err.node}>: {err.message}") from None
        finally:
            self.depth -= 1
            self.vars, self.name, self.loose, self.loose_vars = saved

    def walk(self, dot, nodes):
        for node in nodes:
            kind = type(node)
            if kind is Text:
                key = (id(node), self.ctx)
                done = self.cache.get(key)
                if done is None:
                    try:
                        done = self.cache[key] = E.text(self.ctx, node.text)
                    except EscapeError as err:
                        raise TemplateError(f"html/template:{self.name}: {err}") from None
                self.out.append(done[0])
                self.ctx = done[1]
            elif kind is Action:
                self.action(dot, node)
            elif kind is Branch:
                self.branch(dot, node)
            elif kind is Call:
                value = self.pipeline(dot, node.pipe) if node.pipe is not None else B.MISSING
                start = self.ctx
                self.call(node.name, value, node)
                self.ctx = self.calls.get((node.name, start), self.ctx)
            elif kind is Loop:
                raise _Break() if node.kind == "break" else _Continue()

    def action(self, dot, node):
        pipe = node.pipe
        if pipe.decl:
            self.pipeline(dot, pipe)
            return
        plan = self.cache.get((id(pipe), self.ctx))
        if plan is None:
            plan = self.cache[(id(pipe), self.ctx)] = _plan(pipe, self.ctx)
        cmds, escapers, after, field = plan
        if field is not None and type(dot) is dict:  # {{.name}}: the common case, without the general walk
            value = dot.get(field)
        else:
            value = self.commands(dot, cmds)
            value = escapers[0]() if value is _NONE else escapers[0](B.plain(value))
            escapers = escapers[1:]
        for escaper in escapers:
            value = escaper(value)
        self.out.append(value)
        self.ctx = after

    def branch(self, dot, node):
        """Run a branch; the context after it is the one Go's escaper joined its arms into (static.py)."""
        mark, start = len(self.vars), self.ctx
        try:
            value = self.pipeline(dot, node.pipe)
            if node.kind == "range":
                self.range(dot, node, value)
            elif B.truth(value):
                if node.kind == "with":
                    saved, self.loose = self.loose, False
                    self.walk(value, node.body)
                    self.loose = saved
                else:
                    self.walk(dot, node.body)
            elif node.other is not None:
                self.walk(dot, node.other)
        finally:
            del self.vars[mark:]
        self.ctx = self.ends.get((id(node), start), self.ctx)

    def range(self, dot, node, value):
        decl = node.pipe.decl
        items = range_items(value, node.pipe.cmds[0].args[0])
        mark, start = len(self.vars), self.ctx
        saved = self.loose, self.loose_vars
        self.loose, self.loose_vars = True, self.loose_vars | set(decl[-1:])
        for key, item in items:
            self.ctx = start
            if len(decl) == 1:
                self.vars[mark - 1] = (decl[0], item)
            elif len(decl) == 2:
                self.vars[mark - 2] = (decl[0], key)
                self.vars[mark - 1] = (decl[1], item)
            try:
                self.walk(item, node.body)
            except _Break:
                break
            except _Continue:
                pass
            del self.vars[mark:]
        self.loose, self.loose_vars = saved
        if not items and node.other is not None:
            self.ctx = start
            self.walk(dot, node.other)

    def pipeline(self, dot, pipe):
        value = self.commands(dot, pipe.cmds)
        if pipe.assign:
            for name in pipe.decl:
                for i in range(len(self.vars) - 1, -1, -1):
                    if self.vars[i][0] == name:
                        self.vars[i] = (name, value)
                        break
                else:
                    raise fail(pipe.cmds[-1].args[-1], f"undefined variable: {name}")
        else:
            for name in pipe.decl:
                self.vars.append((name, value))
        return value

    def commands(self, dot, cmds):
        value = _NONE
        for cmd in cmds:
            value = self.command(dot, cmd, value)
        return value

    def command(self, dot, cmd, final):
        first = cmd.args[0]
        if first.kind == "ident":
            return self.function(dot, cmd, first.value, cmd.args[1:], final)
        if final is not _NONE or len(cmd.args) > 1:
            names = first.value if first.kind == "field" else first.value[1:] if first.kind == "variable" else \
                first.value[1] if first.kind == "chain" else []
            if names:  # Go walks the chain before finding that its last field takes no arguments
                base = self.arg(dot, first.value[0]) if first.kind == "chain" else \
                    self.variable(first.value[0], first) if first.kind == "variable" else dot
                at = self.at if first.kind == "chain" else first
                return field_args(base, names, at, first.kind == "field" and self.loose or
                                  first.kind == "variable" and first.value[0] in self.loose_vars)
            raise fail(first, f"can't give argument to non-function {first}")
        if first.kind == "nil":
            raise fail(cmd, "nil is not a command")
        return self.arg(dot, first)

    def arg(self, dot, a):
        self.at = a  # Go's s.at: the node an error inside names
        kind = a.kind
        if kind == "field":
            return fields(dot, a.value, a, self.loose)
        if kind == "dot":
            return dot
        if kind == "variable":
            value = self.variable(a.value[0], a)
            return fields(value, a.value[1:], a, a.value[0] in self.loose_vars)
        if kind in ("string", "number"):
            return a.value[0]
        if kind == "bool":
            return a.value
        if kind == "nil":
            return None
        if kind == "pipe":
            mark = len(self.vars)
            value = self.pipeline(dot, a.value)
            del self.vars[mark:]
            return value
        if kind == "chain":
            base = self.arg(dot, a.value[0])
            return fields(base, a.value[1], self.at, False)  # Go reports where the base ended
        if kind == "ident":
            return self.function(dot, Command(a.pos, [a]), a.value, [], _NONE)
        raise fail(a, "can't handle " + kind)

    def variable(self, name, node):
        for var, value in reversed(self.vars):
            if var == name:
                return value
        raise fail(node, f"undefined variable: {name}")

    def function(self, dot, cmd, name, args, final):
        """Call a function as Go's evalCall does: arity first, typed (string) parameters checked where
        their value comes from (steps.apply), `and`/`or` lazily."""
        self.at = cmd.args[0]
        wrong = arity_error(name, len(args) + (final is not _NONE), len(args))
        if wrong:
            raise fail(cmd.args[0], wrong)
        if name in ("and", "or"):
            value = None
            for a in [*args, None] if final is not _NONE else args:
                value = self.arg(dot, a) if a is not None else final
                if B.truth(value) == (name == "or"):
                    return value
            return value
        values = [self.arg(dot, a) for a in args]
        if final is not _NONE:
            values.append(final)
        return apply(name, cmd, args[0] if args else cmd.args[0], *values)


_NONE = object()  # no value piped in yet


def _plan(pipe, ctx):
    """(commands, escaper functions, context after, the field name of a lone `{{.name}}` or None)."""
    names, after = E.escapers(ctx)
    cmds, names = rewrite(pipe.cmds, names or ["print"])
    single = cmds[0].args if len(cmds) == 1 else ()
    field = single[0].value[0] if len(single) == 1 and single[0].kind == "field" and \
        len(single[0].value) == 1 else None
    return cmds, [E.ESCAPERS[n] for n in names], after, field


def render(trees, cache, analysis, name, data) -> str:
    return Renderer(trees, cache, analysis).run(name, data)
