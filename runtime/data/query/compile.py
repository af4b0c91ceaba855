"""A parsed filter as one parametrised WHERE fragment, with PocketBase's comparison semantics.

Observed rules kept here: `=`/`!=` treat NULL and '' alike unless one side is known non-empty (then a direct
comparison; `!=` is `IS NOT`, so NULL columns differ from a value); a json value compares as it is (`IS`/`IS NOT`);
`~` is LIKE with `%` around a value holding no unescaped `%` (then `\\`, `%` and `_` in it are escaped), and
against a column it is a contains test; a multi-match operand (resolve.py) under a plain operator adds "no item
fails" (`NOT EXISTS (... WHERE NOT (...))`), under a `?` operator only the join's "some item matches".
"""
from __future__ import annotations

import datetime
import itertools

from .dialect import Sql, sql
from .lexer import FilterError, Token, _go_q
from .parser import Expr, Group
from .resolve import AUTO, OFF, Operand, Resolver

_PLAIN = {"<": "<", "<=": "<=", ">": ">", ">=": ">="}
_WORDS = {"null": "NULL", "true": "true", "false": "false"}
_ENFORCED = "enforced"


def _stamp(t: datetime.datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def macro_value(name: str, now: datetime.datetime):
    """`@now`, `@todayStart`, … as the binary computes them (UTC; stamps in its stored form)."""
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    month_start = day.replace(day=1)
    next_month = (month_start + datetime.timedelta(days=32)).replace(day=1)
    end = datetime.timedelta(hours=23, minutes=59, seconds=59, microseconds=999999)
    values = {
        "@now": lambda: _stamp(now), "@yesterday": lambda: _stamp(now - datetime.timedelta(days=1)),
        "@tomorrow": lambda: _stamp(now + datetime.timedelta(days=1)),
        "@second": lambda: now.second, "@minute": lambda: now.minute, "@hour": lambda: now.hour,
        "@day": lambda: now.day, "@month": lambda: now.month, "@weekday": lambda: (now.weekday() + 1) % 7,
        "@year": lambda: now.year, "@todayStart": lambda: _stamp(day), "@todayEnd": lambda: _stamp(day + end),
        "@monthStart": lambda: _stamp(month_start),
        "@monthEnd": lambda: _stamp(next_month - datetime.timedelta(days=1) + end),
        "@yearStart": lambda: _stamp(day.replace(month=1, day=1)),
        "@yearEnd": lambda: _stamp(day.replace(month=12, day=31) + end),
    }
    maker = values.get(name)
    return None if maker is None else maker()


class Compiler:
    """Compiles filters of one query (they share the resolver's joins)."""

    def __init__(self, resolver: Resolver, now: datetime.datetime | None = None):
        self.r, self.d = resolver, resolver.d
        self.now = now or datetime.datetime.now(datetime.timezone.utc)
        self._n = itertools.count()

    def where(self, group: Group) -> Sql:
        parts = []
        for join, item in group.items:
            if parts:
                parts.append(Sql(" OR " if join == "||" else " AND "))
            parts.append(self.where(item) if isinstance(item, Group) else self.expr(item))
        return sql("({})", Sql.join("", parts))

    def operand(self, token: Token, side: str) -> Operand:
        if token.kind == "text":
            return Operand(Sql.value(token.value), literal=True)
        if token.kind == "number":
            return Operand(Sql.value(token.value), literal=True)
        name = token.value
        value = macro_value(name, self.now)
        if value is not None:
            return Operand(Sql.value(value), literal=True)
        try:
            return self.r.resolve(name)
        except FilterError as exc:
            word = _WORDS.get(name.lower())
            if word is not None:
                return Operand(Sql(self.d.true if word == "true" else self.d.false if word == "false" else "NULL"))
            raise FilterError(f"invalid {side} operand {_go_q(name)} - {exc}") from None

    def expr(self, e: Expr) -> Sql:
        left, right = self.operand(e.left, "left"), self.operand(e.right, "right")
        out = self.compare(left, e.op, right)
        for side in (left, right):
            if side.after is not None:
                out = side.after(out)
        return out

    def compare(self, left: Operand, op: str, right: Operand, negate: bool = False) -> Sql:
        base = op.lstrip("?")
        if base in ("=", "!="):
            out = self._equal(base == "=", left, right)
        elif base in ("~", "!~"):
            contains = not right.literal  # a column (a json path binds values of its own) is a contains test
            target = right.sql if contains else Sql("?", tuple(like_pattern(v) for v in right.sql.params))
            out = self.d.like(left.sql, target, base == "!~", contains)
        else:
            out = sql("{} " + _PLAIN[base] + " {}", left.sql, right.sql)
        if not op.startswith("?"):
            if left.multi is not None and right.multi is not None:
                out = sql("(({}) AND ({}))", out, self._many_vs_many(left, base, right))
            elif left.multi is not None:
                out = sql("(({}) AND ({}))", out, self._many_vs_one(left, base, right, False))
            elif right.multi is not None:
                out = sql("(({}) AND ({}))", out, self._many_vs_one(right, base, left, True))
        return sql("NOT ({})", out) if negate else out

    def _many_vs_one(self, many: Operand, op: str, other: Operand, inverse: bool) -> Sql:
        alias = f"__sm{next(self._n)}"
        item = Operand(Sql(f"{self.d.quote(alias)}.{self.d.quote('multiMatchValue')}"), many.fallback)
        plain = Operand(other.sql, literal=other.literal)
        test = self.compare(plain, op, item, True) if inverse else self.compare(item, op, plain, True)
        return sql("NOT EXISTS (SELECT 1 FROM ({}) " + self.d.quote(alias) + " WHERE {})",
                   many.multi.build(self.d), test)

    def _many_vs_many(self, left: Operand, op: str, right: Operand) -> Sql:
        n = next(self._n)
        la, ra = f"__ml{n}", f"__mr{n}"
        value = self.d.quote("multiMatchValue")
        test = self.compare(Operand(Sql(f"{self.d.quote(la)}.{value}"), left.fallback), op,
                            Operand(Sql(f"{self.d.quote(ra)}.{value}"), right.fallback), True)
        return sql("NOT EXISTS (SELECT 1 FROM ({}) " + self.d.quote(la) + " LEFT JOIN ({}) " + self.d.quote(ra)
                   + " WHERE {})", left.multi.build(self.d), right.multi.build(self.d), test)

    def _equal(self, equal: bool, left: Operand, right: Operand) -> Sql:
        op, concat, null = ("=", "OR", "IS NULL") if equal else ("IS NOT", "AND", "IS NOT NULL")
        if left.fallback == OFF or right.fallback == OFF:
            return sql("{} " + ("IS" if equal else "IS NOT") + " {}", left.sql, right.sql)
        left_empty, right_empty = _is_empty(left), _is_empty(right)
        if left_empty and right_empty:
            return sql("'' " + op + " ''")
        if _known_non_empty(left) or _known_non_empty(right):
            return sql("{} " + op + " {}", Sql("''") if left_empty else left.sql,
                       Sql("''") if right_empty else right.sql)
        if left_empty:
            return sql(f"('' {op} {{}} {concat} {{}} {null})", right.sql, right.sql)
        if right_empty:
            return sql(f"({{}} {op} '' {concat} {{}} {null})", left.sql, left.sql)
        return sql("COALESCE({}, '') " + op + " COALESCE({}, '')", left.sql, right.sql)


def _is_empty(o: Operand) -> bool:
    if o.sql.text.lower() in ("", "null", "''", '""', "``"):
        return True
    return o.fallback == AUTO and len(o.sql.params) == 1 and o.sql.params[0] in (None, "")


def _known_non_empty(o: Operand) -> bool:
    if o.fallback == _ENFORCED:
        return False
    if o.nonempty:
        return True
    if o.sql.text.lower() in ("1", "0", "true", "false"):
        return True
    return bool(o.sql.params) and o.literal and None not in o.sql.params and "" not in o.sql.params


def like_pattern(value) -> str:
    """The LIKE pattern of a `~` value: kept as it is when it holds an unescaped `%`, else escaped and wrapped."""
    text = value if isinstance(value, str) else _text_of(value)
    if _has_unescaped(text, "%"):
        return text
    return "%" + _escape(text, "\\%_") + "%"


def _text_of(value) -> str:
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value)


def _has_unescaped(text: str, ch: str) -> bool:
    prev = ""
    for c in text:
        if c == ch and prev != "\\":
            return True
        prev = "" if (c == "\\" and prev == "\\") else c
    return False


def _escape(text: str, chars: str) -> str:
    """A backslash before each of `chars` not already escaped (the binary's reverse scan, same result)."""
    out, i = [], len(text) - 1
    pending = False
    while i >= 0:
        c = text[i]
        if pending:
            if c != "\\":
                out.append("\\")
            pending = False
        elif c in chars:
            pending = True
        out.append(c)
        if i == 0 and pending:
            out.append("\\")
        i -= 1
    return "".join(reversed(out))
