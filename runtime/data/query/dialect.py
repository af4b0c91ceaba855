"""The one seam where SQL text is written: a fragment type that carries its bound values, and one class per
database that knows how that database spells quoting, JSON arrays, LIKE and placeholders.

Fragments are written with `?` for every bound value and keep their values in the same order, so joining
fragments keeps text and values in step; `render` turns the marks into the database's own placeholders at the
very end. No fragment ever holds text from a filter: identifiers come from collection schemas (quoted here), and
everything a filter spells (values, JSON keys) travels as a bound value.
"""
from __future__ import annotations


class Sql:
    """A piece of SQL with `?` marks and the values bound to them, in order."""

    __slots__ = ("text", "params")

    def __init__(self, text: str, params: tuple | list = ()):
        self.text = text
        self.params = tuple(params)

    def __add__(self, other: "Sql | str") -> "Sql":
        if isinstance(other, str):
            return Sql(self.text + other, self.params)
        return Sql(self.text + other.text, self.params + other.params)

    def __radd__(self, other: str) -> "Sql":
        return Sql(other + self.text, self.params)

    def __repr__(self) -> str:
        return f"Sql({self.text!r}, {self.params!r})"

    @staticmethod
    def join(sep: str, parts) -> "Sql":
        parts = list(parts)
        return Sql(sep.join(p.text for p in parts), tuple(v for p in parts for v in p.params))

    @staticmethod
    def value(v) -> "Sql":
        return Sql("?", (v,))


def sql(template: str, *parts: "Sql | str") -> Sql:
    """`template` with each `{}` replaced by the next part (fragments keep their values in order)."""
    pieces = template.split("{}")
    out = Sql(pieces[0])
    for part, tail in zip(parts, pieces[1:]):
        out = out + part + tail
    return out


class SQLite:
    """What PocketBase itself writes (its data.db is SQLite)."""

    name = "sqlite"
    true, false = "1", "0"
    no_on = ""  # a LEFT JOIN without a condition

    def quote(self, name: str) -> str:
        return "`" + name.replace("`", "``") + "`"

    def column(self, alias: str, name: str) -> Sql:
        return Sql(f"{self.quote(alias)}.{self.quote(name)}")

    def _as_array(self, col: Sql, empty_is_none: bool) -> Sql:
        """The column as a JSON array: itself when it holds one, else an array of its one value."""
        single = sql("(CASE WHEN {} = '' OR {} IS NULL THEN json_array() ELSE json_array({}) END)", col, col, col) \
            if empty_is_none else sql("json_array({})", col)
        return sql("CASE WHEN iif(json_valid({}), json_type({}) = 'array', FALSE) THEN {} ELSE {} END",
                   col, col, col, single)

    def json_each(self, col: Sql) -> Sql:
        return sql("json_each({})", self._as_array(col, False))

    def json_each_value(self, alias: str) -> Sql:
        return Sql(f"{self.quote(alias)}.value")

    def json_array_length(self, col: Sql) -> Sql:
        return sql("json_array_length({})", self._as_array(col, True))

    def json_extract(self, col: Sql, parts: list) -> Sql:
        path = "".join(f"[{p}]" if p.isdigit() else f".{p}" for p in parts)
        return sql("(CASE WHEN json_valid({}) THEN JSON_EXTRACT({}, {}) ELSE JSON_EXTRACT(json_object('pb', {}), {}) END)",
                   col, col, Sql.value("$" + path), col, Sql.value("$.pb" + path))

    like_left = "{}"  # how the left side of LIKE is written (PostgreSQL casts it to text)

    def like(self, left: Sql, right: Sql, negate: bool, contains: bool) -> Sql:
        op = "NOT LIKE" if negate else "LIKE"
        target = "('%' || {} || '%')" if contains else "{}"
        return sql(self.like_left + " " + op + " " + target + " ESCAPE '\\'", left, right)

    def lower(self, operand: Sql) -> Sql:
        return sql("LOWER({})", operand)

    def random(self) -> str:
        return "RANDOM()"

    def rowid(self, alias: str) -> str:
        return f"{self.quote(alias)}._rowid_"

    def render(self, fragment: Sql) -> tuple[str, list]:
        return fragment.text, list(fragment.params)


class Postgres(SQLite):
    """The same tree for PostgreSQL (several pagesvm nodes on one database): `$n` placeholders, double-quoted
    names, jsonb functions; columns assumed to keep PocketBase's text forms (multi-values as JSON text)."""

    name = "postgres"
    true, false = "TRUE", "FALSE"
    no_on = " ON TRUE"

    def quote(self, name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    def _as_array(self, col: Sql, empty_is_none: bool) -> Sql:
        single = sql("(CASE WHEN {} = '' OR {} IS NULL THEN '[]'::jsonb ELSE jsonb_build_array({}) END)",
                     col, col, col) if empty_is_none else sql("jsonb_build_array({})", col)
        return sql("CASE WHEN {}::text IS JSON ARRAY THEN {}::jsonb ELSE {} END", col, col, single)

    def json_each(self, col: Sql) -> Sql:
        return sql("jsonb_array_elements_text({})", self._as_array(col, False))

    def json_each_value(self, alias: str) -> Sql:
        return Sql(f"{self.quote(alias)}.{self.quote(alias)}")

    def json_array_length(self, col: Sql) -> Sql:
        return sql("jsonb_array_length({})", self._as_array(col, True))

    def json_extract(self, col: Sql, parts: list) -> Sql:
        return sql("(CASE WHEN {}::text IS JSON THEN {}::jsonb #>> {} ELSE jsonb_build_object('pb', {}) #>> {} END)",
                   col, col, Sql.value(list(parts)), col, Sql.value(["pb", *parts]))

    like_left = "({})::text"

    def rowid(self, alias: str) -> str:
        return f"{self.quote(alias)}.ctid"

    def render(self, fragment: Sql) -> tuple[str, list]:
        """`?` marks as `$1`, `$2`, … (fragments never hold a `?` of their own: no text from the filter)."""
        pieces = fragment.text.split("?")
        text = pieces[0] + "".join(f"${i}{tail}" for i, tail in enumerate(pieces[1:], start=1))
        return text, list(fragment.params)


DIALECTS = {"sqlite": SQLite(), "postgres": Postgres()}
