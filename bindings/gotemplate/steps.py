"""The steps of text/template's evaluation that the interpreter (exec.py) and the compiled templates
(compile.py) share, so both fail with the same Go messages at the same places: following fields, calling a
function on evaluated arguments, the items a `range` walks, and the error a node raises.

A failure is an ``ExecError`` naming the node (its position and its text as Go prints it); the template
call that runs the node turns it into Go's "template: NAME:LINE:COL: executing ..." message.
"""
from __future__ import annotations

from . import builtins as B
from . import escape as E
from .gofmt import FuncError, type_name
from .nodes import Arg, Command


class ExecError(Exception):
    def __init__(self, node_pos, node_text, message):
        super().__init__(message)
        self.pos, self.node, self.message = node_pos, node_text, message


def fail(node, message):
    return ExecError(getattr(node, "pos", None), str(node) if node is not None else "", message)


def fields(value, names, node, loose=True):
    """Follow `.a.b`; ``loose``: the value came out of a map or slice as is (Go's static type
    `interface {}`, which its error names) rather than out of a pipeline."""
    for name in names:
        if value is B.MISSING:
            return B.MISSING
        if isinstance(value, dict):
            value = value.get(name, B.MISSING)
        elif value is None:
            raise fail(node, f"nil pointer evaluating interface {{}}.{name}")
        else:
            shown = "interface {}" if loose else type_name(value)
            raise fail(node, f"can't evaluate field {name} in type {shown}")
        loose = True
    return value


def plain_field(value, name, node, loose):
    """`{{.name}}` printed on a dot that is not a map: nothing for a missing value, else Go's error."""
    return B.plain(fields(value, (name,), node, loose))


def field_args(base, names, at, loose):
    """A field given arguments: Go walks the chain before finding that its last field takes none."""
    owner = fields(base, names[:-1], at, loose)
    if isinstance(owner, dict):
        raise fail(at, f"{names[-1]} is not a method but has arguments")
    return fields(owner, names[-1:], at, len(names) > 1)  # missing: nothing; else Go's error


def string_param(value, node):
    """Go's validateType for a `string` parameter (printf's format, raw's markup)."""
    if isinstance(value, str):
        return
    if node.kind in ("number", "bool", "nil"):
        raise fail(node, f"expected string; found {node}")
    if value is B.MISSING:
        raise fail(node, "invalid value; expected string")
    shown = "interface {}" if value is None else type_name(value)
    raise fail(node, f"wrong type for value; expected string; got {shown}")


def apply(name, cmd, first, *values):
    """Call function ``name`` on its evaluated arguments (``first``: the node of the first, for a
    string parameter's error); a failure inside is "error calling NAME: ..."."""
    if name in B.STRING_FIRST:
        string_param(values[0], first)
    if name != "len":  # len tells a missing value (zero reflect.Value) from nil, as Go does
        values = [B.plain(v) for v in values]
    fn = B.FUNCS.get(name) or E.ESCAPERS.get(name) or (E.eval_args if name == "_eval_args_" else None)
    try:
        if name == "call":  # data from JavaScript holds no Go functions: every call fails as Go's would
            args = cmd.args[1:]
            what = str(args[0]) if args else B.plain_text(values[0])
            raise FuncError("call of nil" if values[0] is None else
                            f"non-function {what} of type {type_name(values[0])}")
        return fn(*values)
    except FuncError as err:
        raise fail(cmd, f"error calling {name}: {err}") from None


def arity_error(name, count, given):
    """Go's "wrong number of args" text for ``count`` arguments (``given`` of them written), or None."""
    need, variadic = B.ARITY.get(name, (0, True))
    if count < need if variadic else count != need:
        want = f"at least {need}" if variadic else str(need)
        return f"wrong number of args for {name}: want {want} got {given if variadic else count}"
    return None


def range_items(value, node):
    """(key, element) pairs a `range` walks: map keys in order, slice indexes, 0..n-1 for an integer."""
    if isinstance(value, dict):
        return [(k, value[k]) for k in sorted(value)]
    if isinstance(value, list):
        return list(enumerate(value))
    if isinstance(value, int) and not isinstance(value, bool):
        return [(i, i) for i in range(value)]
    if value is None or value is B.MISSING:
        return []
    raise fail(node, f"range can't iterate over {B.plain_text(value)}")


def range_values(value, node):
    return [item for _, item in range_items(value, node)]


def rewrite(cmds, names):
    """Go's ensurePipelineContains: a pipeline ending in `html`/`urlquery` merges with the escapers."""
    names = list(names)
    if not names or not cmds:
        return cmds, names
    last = cmds[-1]
    head = last.args[0]
    if head.kind != "ident" or head.value not in ("html", "urlquery"):
        return cmds, names
    esc = head.value
    cmds = list(cmds)
    if len(cmds) == 1 and len(last.args) > 1:
        cmds = [Command(last.pos, [Arg("ident", "_eval_args_", head.pos)] + last.args[1:]),
                Command(last.pos, [Arg("ident", esc, head.pos)])]
    dup = False
    for i, n in enumerate(names):
        if E.EQUIVALENT.get(n) == esc:
            names[i], dup = esc, True
    if dup:
        cmds = cmds[:-1]
    return cmds, names
