"""Field paths of a filter or sort (`title`, `author.name`, `comments_via_post.title`, `tags:each`, `data.a.b`,
`@collection.x.y`) as SQL operands, with the LEFT JOINs they need, the way PocketBase resolves them.

Observed rules kept here: a path through a multiple relation (or a back-relation without a unique index on its
field, or `:each` of a multiple field) is "multi-match": besides the joined value it carries a subquery over every
value, so a plain operator can require ALL of them to match and a `?` operator ANY (compile.py); `:length` and
`:each` apply to select, relation and file fields (on other fields, like `:isset` on a record field, the modifier
is ignored); a json field's remaining path is a JSON path (bound as a value); `@request.*` is NULL without a
request (`findRecordsByFilter`) and resolved by request.py with one (API rules); an unknown field is
`unknown field "x"`. A resolver that does not allow hidden fields (a client's filter or sort) refuses them, hides
auth emails that are not public, and remembers every collection it joined so its list rule can be added to the
query (select.py), as the binary does against rule bypasses through relations.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..db import NotFoundError
from ..fields import is_multiple
from .dialect import Sql, sql
from .lexer import FilterError, _go_q

AUTO, OFF = "auto", "off"  # whether an = / != may treat NULL like '' (json values compare as they are)
MODIFIERS = ("isset", "each", "length", "lower", "changed")
MULTI_VALUERS = ("select", "relation", "file")
_VIA = re.compile(r"^(\w+)_via_(\w+)$")
_MAX_NESTED = 6
# The paths a resolver accepts at all (anything else is `failed to resolve field "path"`), as the binary's list.
_ALLOWED = re.compile(r"^(?:\w+[\w.:]*|@request\.(?:context|method)|@request\.(?:auth|body|query|headers)\.[\w.:]*\w+"
                      r"|@collection\.\w+(?::\w+)?\.[\w.:]*\w+)$")


@dataclass
class Join:
    table: Sql   # a quoted table name or a json_each(...) table
    alias: str
    on: Sql | None = None


@dataclass
class MultiMatch:
    """`SELECT value AS multiMatchValue FROM table alias LEFT JOIN ... WHERE alias.id = target.id`."""
    target_alias: str
    from_table: str
    from_alias: str
    value: Sql | None = None
    joins: list = field(default_factory=list)

    def build(self, d) -> Sql:
        joins = [sql(" LEFT JOIN {} " + d.quote(j.alias) + (" ON {}" if j.on is not None else d.no_on),
                     j.table, *([j.on] if j.on is not None else [])) for j in self.joins]
        return sql("SELECT {} AS " + d.quote("multiMatchValue") + " FROM " + d.quote(self.from_table) + " "
                   + d.quote(self.from_alias) + "{} WHERE " + d.quote(self.from_alias) + ".id = "
                   + d.quote(self.target_alias) + ".id", self.value, Sql.join("", joins))


@dataclass
class Operand:
    sql: Sql
    fallback: str = AUTO
    multi: MultiMatch | None = None
    literal: bool = False  # a value from the filter (text, number, macro), not a column
    nonempty: bool = False  # bound values that make the binary treat it as known non-empty (a body's `:each`)
    after: object = None  # wraps the whole comparison (a non-public email: `AND emailVisibility = TRUE`)


def split_modifier(prop: str) -> tuple[str, str]:
    parts = prop.split(":")
    if len(parts) != 2:
        return prop, ""
    if parts[1] in MODIFIERS:
        return parts[0], parts[1]
    raise FilterError(f"unknown modifier in {_go_q(prop)}")


class Resolver:
    """Resolves the paths of one query against `collection`; `joins` are what the query must LEFT JOIN."""

    def __init__(self, collection, load, dialect, request=None, allow_hidden: bool = True):
        self.base = collection
        self._load = load
        self.d = dialect
        self.joins: dict[str, Join] = {}
        self._aliases: dict[str, str] = {}
        self.request = request  # a request.RequestInfo, or None (no `@request.*`: it is NULL)
        self.allow_hidden = allow_hidden
        self.rule_joins: dict[str, object] = {}  # alias -> a joined collection whose list rule must hold too
        self.base_alias = collection.name
        self.suffix = ""  # appended to generated aliases (a list rule's clone must not meet the main ones)

    def load(self, key: str):
        if key in (self.base.name, self.base.id):
            return self.base
        return self._load(key)

    def register(self, table: Sql, alias: str, on: Sql | None, collection=None) -> None:
        if collection is not None and not self.allow_hidden:
            if collection.listRule is None:  # every field of a superusers-only collection counts as hidden
                raise FilterError(f"{_go_q(collection.name)} fields can be accessed only when allowHiddenFields "
                                  "is enabled or by superusers")
            self.rule_joins[alias] = collection
        self.joins[alias] = Join(table, alias, on)  # the same path joins once (the last ON wins, as in the binary)

    def user_alias(self, name: str) -> str:
        """An alias the filter names (`@collection.x:alias`) as a generated one, so no filter text reaches SQL."""
        return self._aliases.setdefault(name, f"__collection_alias_{len(self._aliases)}")

    def resolve(self, path: str) -> Operand:
        if not _ALLOWED.match(path):
            raise FilterError(f"failed to resolve field {_go_q(path)}")
        return _Run(self, path).run()


class _Run:
    def __init__(self, resolver: Resolver, path: str):
        self.r, self.d, self.path = resolver, resolver.d, path
        self.props = path.split(".")
        self.collection = resolver.base
        self.alias = resolver.base_alias
        self.mm = MultiMatch(self.alias, resolver.base.name, "__mm_" + self.alias)
        self.mm_alias = self.mm.from_alias
        self.multi = False
        self.nullify = self.props[0] == "@request"  # a missing field under @request is NULL, not an error

    def run(self) -> Operand:
        head = self.props[0]
        if head == "@request":
            if self.r.request is None:
                return Operand(Sql("NULL"))
            from .request import resolve_request

            return resolve_request(self)
        if head == "@collection":
            return self._collection()
        return self._walk(self.props)

    def walk_from(self, collection, alias: str, mm_alias: str, props: list) -> Operand:
        """Go on from a collection joined under `alias` (the auth record's, a body relation's)."""
        self.collection, self.alias, self.mm_alias = collection, alias, mm_alias
        if not self.nullify:
            return self._walk(props)
        try:
            return self._walk(props)
        except FilterError as exc:
            if str(exc).startswith("non-filterable"):
                raise
            return Operand(Sql("NULL"))

    def _collection(self) -> Operand:
        if len(self.props) < 3:
            raise FilterError(f"invalid @collection field path in {_go_q(self.path)}")
        name, _, alias = self.props[1].partition(":")
        try:
            self.collection = self.r.load(name)
        except NotFoundError:
            raise FilterError(f"failed to load collection {_go_q(self.props[1])} from field path "
                              f"{_go_q(self.path)}") from None
        self.alias = (self.r.user_alias(alias) if alias else "__collection_" + self.collection.name) + self.r.suffix
        self.multi = True
        self.r.register(Sql(self.d.quote(self.collection.name)), self.alias, None, self.collection)
        self.mm_alias = "__mm_" + self.alias
        self.mm.joins.append(Join(Sql(self.d.quote(self.collection.name)), self.mm_alias))
        return self._walk(self.props[2:])

    def _walk(self, props: list) -> Operand:
        for i, prop in enumerate(props):
            if i == len(props) - 1:
                return self._finish(prop)
            f = self.collection.field(prop)
            if f is not None and f.get("hidden") and not self.r.allow_hidden:
                raise FilterError(f"non-filterable field {_go_q(prop)}")
            if f is not None and f["type"] in ("json", "geoPoint"):
                return self._json(f, props[i + 1:])
            if i >= _MAX_NESTED:
                raise FilterError(f"max nested relations reached for field {_go_q(prop)}")
            if f is None:
                self._back_relation(prop)
                continue
            if f["type"] != "relation":
                raise FilterError(f"field {_go_q(prop)} is not a valid relation")
            if not is_multiple(f) and i == len(props) - 2 and props[i + 1] == "id":
                return self._finish(f["name"])
            self._relation(f)
        raise FilterError(f"failed to resolve field {_go_q(self.path)}")

    def _target(self, key: str):
        try:
            return self.r.load(key)
        except NotFoundError:
            return None

    def _relation(self, f: dict) -> None:
        target = self._target(f.get("collectionId", ""))
        if target is None:
            raise FilterError(f"failed to load field {_go_q(f['name'])} collection")
        d, name, many = self.d, f["name"], is_multiple(f)
        new_alias = f"{self.alias}_{name}{self.r.suffix}"
        if many:
            each = "__je_" + new_alias
            self.r.register(d.json_each(d.column(self.alias, name)), each, None)
            self.r.register(Sql(d.quote(target.name)), new_alias,
                            sql(f"{d.quote(new_alias)}.id = {{}}", d.json_each_value(each)), target)
        else:
            self.r.register(Sql(d.quote(target.name)), new_alias,
                            sql(f"{d.quote(new_alias)}.id = {{}}", d.column(self.alias, name)), target)
        mm_new = f"{self.mm_alias}_{name}"
        if many:
            each2 = f"{self.mm_alias}_{name}_je"
            self.mm.joins.append(Join(d.json_each(d.column(self.mm_alias, name)), each2))
            self.mm.joins.append(Join(Sql(d.quote(target.name)), mm_new,
                                      sql(f"{d.quote(mm_new)}.id = {{}}", d.json_each_value(each2))))
        else:
            self.mm.joins.append(Join(Sql(d.quote(target.name)), mm_new,
                                      sql(f"{d.quote(mm_new)}.id = {{}}", d.column(self.mm_alias, name))))
        self.multi = self.multi or many
        self.collection, self.alias, self.mm_alias = target, new_alias, mm_new

    def _back_relation(self, prop: str) -> None:
        m = _VIA.match(prop)
        if m is None:
            raise FilterError(f"failed to resolve field {_go_q(prop)}")
        back = self._target(m.group(1))
        if back is None:
            raise FilterError(f"failed to load back relation field {_go_q(prop)} collection")
        f = back.field(m.group(2))
        if f is None:
            raise FilterError(f"missing back relation field {_go_q(m.group(2))}")
        if f["type"] != "relation":
            raise FilterError(f"invalid back relation field {_go_q(m.group(2))}")
        if f.get("hidden") and not self.r.allow_hidden:
            raise FilterError(f"non-filterable back relation field {_go_q(f['name'])}")
        if f.get("collectionId") != self.collection.id:
            raise FilterError(f"invalid collection reference of a back relation field {_go_q(f['name'])}")
        d, many = self.d, is_multiple(f)
        new_alias, mm_new = f"{self.alias}_{prop}{self.r.suffix}", f"{self.mm_alias}_{prop}{self.r.suffix}"
        for alias, source, target in ((new_alias, self.alias, self.r), (mm_new, self.mm_alias, None)):
            if many:
                each = "__je_" + alias
                on = sql(f"{d.quote(source)}.id IN (SELECT {{}} FROM {{}} {d.quote(each)})",
                         d.json_each_value(each), d.json_each(d.column(alias, f["name"])))
            else:
                on = sql(f"{{}} = {d.quote(source)}.id", d.column(alias, f["name"]))
            if target is not None:
                target.register(Sql(d.quote(back.name)), alias, on, back)
            else:
                self.mm.joins.append(Join(Sql(d.quote(back.name)), alias, on))
        if many:
            self.multi = True
        elif not self.multi:
            self.multi = not _unique_single(back.indexes, f["name"])
        self.collection, self.alias, self.mm_alias = back, new_alias, mm_new

    def _json(self, f: dict, rest: list) -> Operand:
        keys = [re.sub(r"[^\w.*\-@#]+", "", p) for p in rest]
        out = Operand(self.d.json_extract(self.d.column(self.alias, f["name"]), keys), OFF)
        if self.multi:
            self.mm.value = self.d.json_extract(self.d.column(self.mm_alias, f["name"]), keys)
            out.multi = self.mm
        return out

    def _finish(self, prop: str) -> Operand:
        name, modifier = split_modifier(prop)
        f = self.collection.field(name)
        if f is None:
            if self.nullify:
                return Operand(Sql("NULL"))
            raise FilterError(f"unknown field {_go_q(name)}")
        if f.get("hidden") and not self.r.allow_hidden:
            raise FilterError(f"non-filterable field {_go_q(name)}")
        d, many_kind = self.d, f["type"] in MULTI_VALUERS
        if modifier == "length" and many_kind:
            out = Operand(d.json_array_length(d.column(self.alias, name)))
            if self.multi:
                self.mm.value = d.json_array_length(d.column(self.mm_alias, name))
                out.multi = self.mm
            return out
        if modifier == "each" and many_kind:
            each = f"__je_{self.alias}_{name}{self.r.suffix}"
            self.r.register(d.json_each(d.column(self.alias, name)), each, None)
            out = Operand(d.json_each_value(each))
            self.multi = self.multi or is_multiple(f)
            if self.multi:
                each2 = f"__je_{self.mm_alias}_{name}"
                self.mm.joins.append(Join(d.json_each(d.column(self.mm_alias, name)), each2))
                self.mm.value = d.json_each_value(each2)
                out.multi = self.mm
            return out
        out = Operand(d.column(self.alias, name))
        if self.multi:
            self.mm.value = d.column(self.mm_alias, name)
            out.multi = self.mm
        if name == "email" and not self.r.allow_hidden and self.collection.type == "auth":
            visible = d.column(self.alias, "emailVisibility")
            out.after = lambda expr: sql("(({}) AND ({} = TRUE))", expr, visible)
        if f["type"] == "json":
            out.fallback = OFF
            out.sql = d.json_extract(d.column(self.alias, name), [])
            if self.multi:
                self.mm.value = d.json_extract(d.column(self.mm_alias, name), [])
        if modifier == "lower":
            out.sql = d.lower(out.sql)
            if self.multi:
                self.mm.value = d.lower(self.mm.value)
        return out


def _unique_single(indexes: list, column: str) -> bool:
    """Whether a unique index covers exactly `column` (its WHERE ignored), as the binary checks it."""
    from ..ddl import parse_index

    for text in indexes or []:
        parsed = parse_index(text) or {}
        columns = parsed.get("columns") or []
        if parsed.get("unique") and len(columns) == 1:
            bare = columns[0].split()[0].strip("`\"[]")
            if bare.lower() == column.lower():
                return True
    return False
