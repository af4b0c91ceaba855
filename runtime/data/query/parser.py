"""A filter as a tree: what PocketBase's parser makes of the tokens, with the same error texts.

There is no precedence in the filter itself: a group is a flat list of `(join, item)` pairs, compiled to SQL in
the same order, so SQL's own precedence (AND before OR) decides, as it does for the binary. An item is a
comparison `Expr` or a nested `Group` (parentheses).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .lexer import FilterError, Token, scan

EMPTY = "empty filter expression"
INCOMPLETE = "invalid or incomplete filter expression"
_OPERANDS = ("identifier", "text", "number", "placeholder")


@dataclass(frozen=True)
class Expr:
    left: Token
    op: str
    right: Token


@dataclass
class Group:
    items: list = field(default_factory=list)  # [(join "&&" / "||", Expr | Group)]


def _describe(token: Token) -> str:
    from .lexer import _go_q

    literal = token.value if isinstance(token.value, str) else _number_text(token.value)
    return f"{_go_q(literal)} ({token.kind})"


def _number_text(value: float) -> str:
    return str(int(value)) if value == int(value) else repr(value)


def parse(text: str, params=None, names_only: bool = False) -> Group:
    """The filter's tree; FilterError with the binary's message when it does not parse (or is empty).

    With `names_only`, params is only the set of placeholder names and `{:name}` stays a placeholder token for
    bind() (cache.py keeps such trees, never values)."""
    tokens = scan(text, params, names_only)
    group = Group()
    step, join, left, op = "left", "&&", None, None
    for token in tokens:
        if token.kind == "group":
            group.items.append((join, parse(token.value, params, names_only)))  # `()` is an error, as in the binary
            step = "join"
            continue
        if step == "left":
            if token.kind not in _OPERANDS:
                raise FilterError("expected left operand (identifier, function, text or number), got "
                                  + _describe(token))
            left, step = token, "sign"
        elif step == "sign":
            if token.kind != "sign":
                raise FilterError("expected a sign operator, got " + _describe(token))
            op, step = token.value, "right"
        elif step == "right":
            if token.kind not in _OPERANDS:
                raise FilterError("expected right operand (identifier, function text or number), got "
                                  + _describe(token))
            group.items.append((join, Expr(left, op, token)))
            left, op, step = None, None, "join"
        else:
            if token.kind != "join":
                raise FilterError("expected && or ||, got " + _describe(token))
            join, step = token.value, "left"
    if step != "join":
        raise FilterError(EMPTY if not group.items and left is None else INCOMPLETE)
    return group

