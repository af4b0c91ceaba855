"""Sort strings (`-views,title`, `+x`, `@random`, `@rowid`, relation paths) as ORDER BY fragments.

As the binary parses them: the string is split on commas, each part trimmed, a leading `-` is descending and a
leading `+` ascending (the default); a part that does not resolve to a column (an unknown field, an empty part,
a value) is `invalid sort field "x"`.
"""
from __future__ import annotations

from .dialect import Sql
from .lexer import FilterError, _go_q
from .resolve import Resolver


def parse_sort(text: str) -> list[tuple[str, str]]:
    out = []
    for part in text.split(","):
        part = part.strip()
        if part.startswith("-"):
            out.append((part[1:], "DESC"))
        else:
            out.append((part[1:] if part.startswith("+") else part, "ASC"))
    return out


def order_by(text: str, resolver: Resolver) -> list[Sql]:
    """One fragment per sort part, resolved on `resolver` (its joins serve the WHERE too)."""
    d, out = resolver.d, []
    for name, direction in parse_sort(text):
        if name == "@random":
            out.append(Sql(d.random()))
            continue
        if name == "@rowid":
            out.append(Sql(f"{d.rowid(resolver.base.name)} {direction}"))
            continue
        try:
            operand = resolver.resolve(name) if name and not name.startswith("@request") else None
        except FilterError:
            operand = None
        if operand is None or operand.literal or operand.sql.text.upper() == "NULL":
            raise FilterError(f"invalid sort field {_go_q(name)}")
        out.append(operand.sql + f" {direction}")
    return out
