"""A filter as a tree: what PocketBase's parser makes of the tokens, with the same error texts.

There is no precedence in the filter itself: a group is a flat list of `(join, item)` pairs, compiled to SQL in
the same order, so SQL's own precedence (AND before OR) decides, as it does for the binary. An item is a
comparison `Expr` or a nested `Group` (parentheses).

Parentheses that change nothing are dropped while parsing (`((a = 1))`, a group holding one group, a conjunction
inside any group, a disjunction that is a whole disjunct of its parent): the binary answers 1746 wrapping
parentheses, which SQLite's parser stack (about 100 deep) would refuse as nested SQL. What stays nested is a
real alternation of `&&` and `||`; past MAX_NESTING levels of it the filter is refused (Python's recursion).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .lexer import FilterError, Token, scan, scan_text_end

EMPTY = "empty filter expression"
TOO_DEEP = "filter nested too deep"
MAX_NESTING = 256
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


def parse(text: str, params=None, names_only: bool = False, _depth: int = 0) -> Group:
    """The filter's tree; FilterError with the binary's message when it does not parse (or is empty).

    With `names_only`, params is only the set of placeholder names and `{:name}` stays a placeholder token for
    bind() (cache.py keeps such trees, never values)."""
    if _depth > MAX_NESTING:
        raise FilterError(TOO_DEEP)
    if "\x00" in text:  # the binary's scanner reads NUL as the end of the text (`a = 'x<NUL>'` is unterminated)
        text = text[:text.index("\x00")]
    tokens = scan(unwrap(text), params, names_only)
    group = Group()
    step, join, left, op = "left", "&&", None, None
    for token in tokens:
        if token.kind == "group":  # `()` is an error, as in the binary
            group.items.append((join, parse(token.value, params, names_only, _depth + 1)))
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
    return _flatten(group)


def unwrap(text: str) -> str:
    """`text` without the parentheses around all of it (`((a = 1))` -> `a = 1`), found in one pass: peeling
    one group token per level would scan the text once per level. The scanner's own rules decide what a group
    is (quoted text skipped whole, `//` not special inside a group); an unbalanced text is left to the scanner."""
    start = len(text) - len(text.lstrip(" \t\n"))
    if text[start:start + 1] != "(":
        return text
    opened, match, pos, n = [], {}, start, len(text)
    while pos < n:
        ch = text[pos]
        if ch in "'\"":
            try:
                pos = scan_text_end(text, pos)
            except FilterError:
                return text
            continue
        if ch == "(":
            opened.append(pos)
        elif ch == ")":
            if not opened:
                return text
            match[opened.pop()] = pos
        pos += 1
    low, high = start, len(text.rstrip(" \t\n")) - 1
    while low < high and text[low] == "(" and match.get(low) == high:
        low, high = low + 1, high - 1
        while low <= high and text[low] in " \t\n":
            low += 1
        while high >= low and text[high] in " \t\n":
            high -= 1
    return text[low:high + 1]


def _flatten(group: Group) -> Group:
    """Inline the nested groups whose parentheses SQL's precedence makes needless (the module's docstring)."""
    if not any(isinstance(item, Group) for _, item in group.items):
        return group
    out, items = Group(), group.items
    for at, (join, item) in enumerate(items):
        if isinstance(item, Group) and (len(item.items) > 1 or isinstance(item.items[0][1], Group)):
            inner = [j for j, _ in item.items[1:]]
            whole_disjunct = join == "||" or at == 0
            whole_disjunct = whole_disjunct and (at + 1 == len(items) or items[at + 1][0] == "||")
            if len(item.items) == 1 or "||" not in inner or ("&&" not in inner and whole_disjunct):
                out.items.append((join, item.items[0][1]))
                out.items.extend(item.items[1:])
                continue
        out.items.append((join, item))
    return out


def count_expressions(group: Group) -> int:
    """How many comparisons the filter holds (the binary's API refuses more than 200; groups do not count)."""
    return sum(count_expressions(item) if isinstance(item, Group) else 1 for _, item in group.items)

