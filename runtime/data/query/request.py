"""`@request.*` in API rules: the request's values bound as SQL parameters, the auth record's relations joined.

What the binary does, kept here: `@request.context`, `.method`, `.query.x`, `.headers.x_y` and the plain auth
fields (`id`, `collectionId`, `collectionName`, `email`, `emailVisibility`, `verified`) are values of the request
(a missing key is NULL, `:isset` answers whether it is there, `:lower` lowers it, other modifiers are refused);
any other `@request.auth.x.y` joins the auth collection on the auth record's id and walks on from it (NULL when
anonymous); `@request.body.f` for a field `f` of the collection knows `:each` (a json_each of the sent values),
`:length`, `:lower`, `:changed` (`isset && body value != stored value`) and relation paths into the records the
body names. A string sent for a number field compares as a number (form bodies send text). Nothing of the
request is ever written into SQL text: every value travels as a bound parameter.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from ..fields import is_multiple, unique_strings
from .dialect import Sql, sql
from .lexer import FilterError
from .resolve import MULTI_VALUERS, OFF, Join, Operand, split_modifier

PLAIN_AUTH = ("id", "collectionId", "collectionName", "email", "emailVisibility", "verified")
_MISSING = object()


@dataclass
class RequestInfo:
    """What a rule may read of a request (PocketBase's RequestInfo). `auth` is the auth record exported with
    every field visible (None when anonymous), `auth_collection` its Collection."""
    method: str = "GET"
    context: str = "default"
    query: dict = field(default_factory=dict)
    headers: dict = field(default_factory=dict)
    body: dict = field(default_factory=dict)
    auth: dict | None = None
    auth_collection: object = None

    def static(self) -> dict:
        return {"context": self.context, "method": self.method, "query": self.query, "headers": self.headers,
                "body": self.body, "auth": self.auth}


def _extract(value, keys: list):
    for key in keys:
        if isinstance(value, dict):
            if key not in value:
                return _MISSING
            value = value[key]
        elif isinstance(value, (list, tuple)):
            if not key.isdigit() or int(key) >= len(value):
                return _MISSING
            value = value[int(key)]
        else:
            return _MISSING
    return value


def _as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value == int(value) and abs(value) < 1e21:
        return str(int(value))
    if isinstance(value, (str, int, float)):
        return str(value)
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def static_field(run, path: list) -> Operand:
    """A value of the request at `path` (below `@request`), bound as a parameter."""
    last, modifier = split_modifier(path[-1])
    value = _extract(run.r.request.static(), [*path[:-1], last])
    if modifier == "isset":
        return Operand(Sql("FALSE" if value is _MISSING else "TRUE"))
    if value is _MISSING:
        value = None
    if isinstance(value, str):
        f = run.r.base.field(last)
        if f is not None and f["type"] == "number":
            try:
                value = float(value)
            except ValueError:
                pass
    elif isinstance(value, (dict, list, tuple)):
        value = _as_text(value)
    if modifier not in ("", "lower"):
        raise FilterError(f"invalid modifier sequence {last}:{modifier}")
    if value is None:
        return Operand(Sql("NULL"))
    if modifier == "lower":
        return Operand(sql("LOWER({})", Sql.value(value)), nonempty=value != "")
    return Operand(Sql.value(value), literal=True)


def resolve_request(run) -> Operand:
    props, r = run.props, run.r
    request = r.request
    if run.path.startswith("@request.auth."):
        if request.auth is None or request.auth_collection is None:
            return Operand(Sql("NULL"))
        if len(props) == 3 and props[2] in PLAIN_AUTH:
            return static_field(run, props[1:])
        return _auth_walk(run, request)
    if run.path.startswith("@request.body.") and len(props) > 2:
        name, modifier = split_modifier(props[2])
        body_field = r.base.field(name)
        if body_field is not None:
            if body_field["type"] == "relation" and len(props) > 3:
                return _body_relation(run, body_field)
            if len(props) == 3 and modifier in ("each", "length", "lower", "changed"):
                return _BODY[modifier](run, body_field)
    return static_field(run, props[1:])


def _auth_walk(run, request) -> Operand:
    d, collection = run.d, request.auth_collection
    alias = "__auth_" + collection.name + run.r.suffix
    auth_id = Sql.value(str(request.auth.get("id", "")))
    run.r.register(Sql(d.quote(collection.name)), alias, sql(f"{d.quote(alias)}.id = {{}}", auth_id), collection)
    mm_alias = "__mm_" + alias
    run.mm.joins.append(Join(Sql(d.quote(collection.name)), mm_alias, sql(f"{d.quote(mm_alias)}.id = {{}}", auth_id)))
    return run.walk_from(collection, alias, mm_alias, run.props[2:])


def _body_values(run, f: dict) -> list:
    value = run.r.request.body.get(f["name"])
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _multi_only(f: dict) -> None:
    if f["type"] not in MULTI_VALUERS:
        raise FilterError(f"field {json.dumps(f['name'])} doesn't support multivalue operations")


def _length(run, f: dict) -> Operand:
    _multi_only(f)
    return Operand(Sql(str(len(_body_values(run, f)))))


def _lower(run, f: dict) -> Operand:
    text = _as_text(run.r.request.body.get(f["name"]))
    return Operand(sql("LOWER({})", Sql.value(text)), nonempty=text != "")


def _each(run, f: dict) -> Operand:
    _multi_only(f)
    d = run.d
    raw = json.dumps(_body_values(run, f), separators=(",", ":"), ensure_ascii=False)
    alias = "__dataEach_je_" + f["name"] + run.r.suffix
    run.r.register(sql("json_each({})", Sql.value(raw)), alias, None)
    out = Operand(d.json_each_value(alias), nonempty=True)
    run.multi = run.multi or is_multiple(f)
    if run.multi:
        mm_alias = "__mm_" + alias
        run.mm.joins.append(Join(sql("json_each({})", Sql.value(raw)), mm_alias))
        run.mm.value = d.json_each_value(mm_alias)
        out.multi = run.mm
    return out


def _changed(run, f: dict) -> Operand:
    from .compile import Compiler
    from .parser import parse

    name = f["name"]
    text = f"@request.body.{name}:isset = true && @request.body.{name} != {name}"
    inner = Compiler(run.r).where(parse(text))
    return Operand(sql("({})", inner), fallback=OFF)


def _body_relation(run, f: dict) -> Operand:
    try:
        target = run.r.load(f.get("collectionId", ""))
    except LookupError:
        raise FilterError(f"failed to load collection {json.dumps(f.get('collectionId', ''))} from data field "
                          f"{json.dumps(f['name'])}") from None
    ids = unique_strings(run.r.request.body.get(f["name"]))
    if not ids:
        return Operand(Sql("NULL"))
    d = run.d
    alias = f"__data_{target.name}_{f['name']}{run.r.suffix}"
    marks = Sql.join(", ", [Sql.value(i) for i in ids])
    run.r.register(Sql(d.quote(target.name)), alias, sql(f"{d.quote(alias)}.id IN ({{}})", marks), target)
    if is_multiple(f):
        run.multi = True
    mm_alias = "__mm_" + alias
    run.mm.joins.append(Join(Sql(d.quote(target.name)), mm_alias, sql(f"{d.quote(mm_alias)}.id IN ({{}})", marks)))
    return run.walk_from(target, alias, mm_alias, run.props[3:])


_BODY = {"each": _each, "length": _length, "lower": _lower, "changed": _changed}
