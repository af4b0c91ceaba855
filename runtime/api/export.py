"""Records as the REST API shows them: visibility flags, `expand` under the view rules, and `fields=` picking.

PocketBase's rules for what a requester sees, kept here: hidden fields only for superusers; `password` and
`tokenKey` never; an auth record's `email` when `emailVisibility` is on, or to the record itself, a superuser,
or a requester its collection's manageRule lets manage it. An expanded relation is fetched through its
collection's view rule (context `expand`): a record the requester may not view is left out, and a collection
with a `null` view rule expands nothing for non-superusers. `fields=a,b,expand.rel.c` keeps only those keys
(`*` all at that level), applied to each item of a list; `:excerpt(max, ellipsis)` shortens HTML to text.
"""
from __future__ import annotations

import functools
import html.parser
import re

from runtime.data import fields as F
from runtime.data.collections import shape_of
from runtime.data.expand import expand_records
from runtime.data.gocast import json_number
from runtime.data.query import FilterError
from runtime.data.records import Record

from . import rules

_NEVER = ("password", "tokenKey")


def enrich(call, records: list, info) -> list:
    """The records' JSON values after `expand` (from the query string) under the view rules."""
    if not records:
        return []
    paths = [p for p in call.request.arg("expand").split(",") if p.strip()]
    if paths:
        expand_records(call.store, records, paths, _fetcher(call, info))
    call.enriched(records)
    return _Exporter(call, info, records).all(records)


def _fetcher(call, info):
    expand_info = rules.RequestInfo(**{**info.__dict__, "context": rules.CONTEXT_EXPAND})

    def fetch(collection, ids):
        if call.is_superuser:
            rule = None
        elif collection.viewRule is None:
            raise ValueError(f"only superusers can view collection {collection.name!r} records")
        else:
            rule = collection.viewRule or None
        shape = shape_of(call.store.db, collection)
        wanted = [str(i) for i in ids]
        marks = ", ".join("?" * len(wanted))
        try:
            text, values = rules.build_query(collection, rules.loader(call), request=expand_info, rule=rule)
        except FilterError as exc:
            raise ValueError(str(exc)) from None
        text = f"SELECT * FROM ({text}) AS `__expand` WHERE `__expand`.id IN ({marks})"
        return Record.from_table(shape, *call.store.db.table(text, [*values, *wanted]))

    return fetch


def _as_text(value):
    """fields.export of every kind but number, json and password: text (a DateTime too) as plain str."""
    if value.__class__ is str:
        return value
    return str.__str__(value) if isinstance(value, str) else value


class _Exporter:
    """The JSON values of one request's records: per collection, the shown fields and their export functions
    are decided once (hidden fields, `password`/`tokenKey`), and which auth records' emails this requester sees
    is asked once over every record of that collection in the answer, expanded ones included. A record met
    twice (one author expanded under many posts) is exported once, unless `fields=` will edit the values in
    place (an excerpt must not shorten a shared value twice)."""

    def __init__(self, call, info, records: list):
        self.call, self.info, self.roots, self.superuser = call, info, records, call.is_superuser
        self.plans: dict = {}
        self.emails: dict = {}
        self.memo = None if call.request.arg("fields") else {}
        self.shown = call.shown  # onRecordEnrich's hide/unhide/custom data, by id(record); None without it

    def all(self, records: list) -> list:
        """Records of one query (one collection, each met once): the plan looked up once for them all."""
        if not records:
            return []
        shape = records[0].collection
        plan = self._plan(shape)
        return [self._export(r, plan) if r.collection is shape else self.one(r) for r in records]

    def one(self, record: Record) -> dict:
        """A record that may be met again (an expanded one): exported once when nothing edits it later."""
        memo = self.memo
        if memo is None:
            return self._export(record, self._plan(record.collection))
        found = memo.get(id(record))
        if found is None:
            found = memo[id(record)] = self._export(record, self._plan(record.collection))
        return found

    def _export(self, record: Record, plan: tuple) -> dict:
        shown = self.shown.get(id(record)) if self.shown else None
        if shown is not None:
            return self._export_shown(record, shown)
        entries, auth = plan
        values, expand = record.values, record.expand
        out = {}
        for name, export in entries:  # in Go's order (see _make_plan)
            if export is None:  # where `expand` sorts
                if expand is not None:
                    out["expand"] = {key: self._expanded(expand[key]) for key in sorted(expand)}
            elif export.__class__ is str:  # collectionId, collectionName
                out[name] = export
            else:
                out[name] = export(values[name])
        if auth and "email" in out and not (self.superuser or record.get_bool("emailVisibility")
                                            or record.id in self._emails(record.collection)):
            del out["email"]
        return out

    def _export_shown(self, record: Record, shown: dict) -> dict:
        """A record onRecordEnrich changed: its hidden (`h`) and unhidden (`u`) fields, every email (`e`), its custom
        data (`c`) decided here, field by field."""
        out = {"collectionId": record.collection.get("id", ""), "collectionName": record.collection.get("name", "")}
        auth = record.is_auth()
        for name, field in record.fields.items():
            if name in shown["h"] or name in shown["u"]:
                if name in shown["u"]:
                    out[name] = F.export(field, record.values[name])
                continue
            if (field.get("hidden") and not self.superuser) or (auth and name in _NEVER):
                continue
            if auth and name == "email" and not (self.superuser or shown["e"] or record.get_bool("emailVisibility")
                                                 or record.id in self._emails(record.collection)):
                continue
            out[name] = F.export(field, record.values[name])
        if shown["c"]:
            out.update(record.custom)
        if record.expand is not None:
            out["expand"] = {key: self._expanded(record.expand[key]) for key in sorted(record.expand)}
        return dict(sorted(out.items()))  # Go's order, custom keys included (see _make_plan)

    def _expanded(self, value):
        if value.__class__ is not list:
            return self.one(value)
        one = self.one
        return [one(r) for r in value]

    def _emails(self, shape: dict) -> set:
        found = self.emails.get(id(shape))
        if found is None:
            group = []
            _gather(self.roots, shape, group, set())
            found = self.emails[id(shape)] = _email_ids(self.call, shape, group, self.info)
        return found

    def _plan(self, shape: dict) -> tuple:
        found = self.plans.get(id(shape))
        if found is None:
            found = self.plans[id(shape)] = self._make_plan(shape)
        return found

    def _make_plan(self, shape: dict) -> tuple:
        auth = shape.get("type") == "auth"
        fields = []
        for field in shape.get("fields") or []:
            name = field["name"]
            if (field.get("hidden") and not self.superuser) or (auth and name in _NEVER):
                continue
            kind = field.get("type")
            if kind == "number":
                fields.append((name, json_number))
            elif kind in ("json", "password"):
                fields.append((name, functools.partial(F.export, field)))
            else:
                fields.append((name, _as_text))
        # A record's JSON is a Go map, which encoding/json writes with its keys sorted (byte order, which is code
        # point order for UTF-8): the plan holds the keys in that order, `expand` (None) at its place.
        fields += [("collectionId", str(shape.get("id", ""))), ("collectionName", str(shape.get("name", ""))),
                   ("expand", None)]
        return sorted(fields, key=lambda entry: entry[0]), auth


def _gather(records: list, shape: dict, group: list, seen: set) -> None:
    """Every record of `shape` in the answer, expanded ones included."""
    for record in records:
        if id(record) in seen:
            continue
        seen.add(id(record))
        if record.collection is shape:
            group.append(record)
        if record.expand:
            for value in record.expand.values():
                _gather(value if isinstance(value, list) else [value], shape, group, seen)


def _email_ids(call, shape: dict, records: list, info) -> set:
    """Ids of the auth records whose email this requester sees whatever their emailVisibility."""
    if shape.get("type") != "auth":
        return set()
    ids = {r.id for r in records}
    if call.is_superuser:
        return ids
    out = set()
    if info.auth is not None and info.auth.get("id") in ids:
        out.add(info.auth["id"])
    rule = shape.get("manageRule")
    rest = sorted(ids - out)
    if rule and info.auth is not None and rest:
        collection = call.store.read_collection(shape["id"])[0]
        try:
            text, values = rules.build_query(collection, rules.loader(call), request=info, rule=rule)
        except FilterError:
            return out
        marks = ", ".join("?" * len(rest))
        rows = call.store.db.query(f"SELECT id FROM ({text}) AS `__managed` WHERE id IN ({marks})", [*values, *rest])
        out.update(row[0] for row in rows)
    return out


# ---- fields= ---------------------------------------------------------------------------------------------

def parse_fields(raw: str) -> dict:
    """`a,b:excerpt(10,true),expand.x.y` -> {path: modifier or None}; commas inside parentheses stay."""
    out, depth, part = {}, 0, []
    for ch in raw + ",":
        if ch == "," and depth == 0:
            text = "".join(part).strip()
            part = []
            if text:
                name, _, modifier = text.partition(":")
                out[name] = _modifier(modifier) if modifier else None
            continue
        depth += ch == "("
        depth -= ch == ")"
        part.append(ch)
    return out


def _modifier(text: str):
    found = re.fullmatch(r"excerpt\(\s*([^,\s)]+)\s*(?:,\s*([^)\s]+)\s*)?\)", text.strip())
    if found is None:
        raise ValueError(f"invalid fields modifier {text!r}")
    size = int(found.group(1).partition(".")[0]) if re.fullmatch(r"-?\d+(\.\d+)?", found.group(1)) else 0
    if size <= 0 or size >= 1 << 63:  # beyond int64 the binary cannot read the number: the generic 400
        raise ValueError("max argument must be > 0")
    ellipsis = (found.group(2) or "").lower() in ("1", "t", "true")
    return lambda value: excerpt(value, size, ellipsis) if isinstance(value, str) else value


def pick(value, fields: dict):
    """Keep only the picked keys of a dict, or of each dict of a list (in place; returns the value)."""
    if isinstance(value, list):
        for item in value:
            if isinstance(item, dict):
                pick(item, dict(fields))
        return value
    if not isinstance(value, dict) or not fields:
        return value
    fields = dict(fields)
    if "*" in fields:
        for key in value:
            if not any((f + ".").startswith(key + ".") for f in fields):
                fields[key] = fields["*"]
    for key in list(value):
        matching = {f: m for f, m in fields.items() if (f + ".").startswith(key + ".")}
        if not matching:
            del value[key]
            continue
        rest = {}
        for f, m in matching.items():
            remains = (f + ".")[len(key) + 1:].rstrip(".")
            if not remains:
                if m is not None:
                    value[key] = m(value[key])
                rest = None
                break
            rest[remains] = m
        if rest is not None:
            pick(value[key], rest)
    return value


_SKIP = {"head", "style", "script", "iframe", "embed", "applet", "object", "svg", "img", "picture", "dialog",
         "template", "button", "form", "textarea", "input", "select", "option"}
_INLINE = {"a", "abbr", "acronym", "b", "bdo", "big", "br", "button", "cite", "code", "em", "i", "label", "q",
           "small", "span", "strong", "strike", "sub", "sup", "time"}


class _Text(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.skip = [], 0

    def _space(self):
        if self.parts and not self.parts[-1].endswith(" "):
            self.parts.append(" ")

    def handle_starttag(self, tag, attrs):
        if tag in _SKIP:
            self.skip += 1
        elif tag not in _INLINE:
            self._space()

    def handle_endtag(self, tag):
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag not in _INLINE:
            self._space()

    def handle_data(self, data):
        if not self.skip:
            text = re.sub(r"\s+", " ", data)
            if self.parts and self.parts[-1].endswith(" "):
                text = text.lstrip(" ")
            if text:
                self.parts.append(text)


def excerpt(value: str, size: int, ellipsis: bool) -> str:
    parser = _Text()
    parser.feed(value)
    parser.close()
    text = "".join(parser.parts).strip()
    if len(text) > size:
        text = text[:size].strip() + ("..." if ellipsis else "")
    return text


def respond(call, value, status: int = 200):
    """The JSON answer, with `fields=` picked from it (from each item of a list envelope)."""
    from .exchange import ApiResponse, bad_request

    raw = call.request.arg("fields")
    if raw:
        try:
            fields = parse_fields(raw)
        except ValueError:
            raise bad_request() from None
        if isinstance(value, dict) and "items" in value and "totalPages" in value:
            pick(value["items"], fields)
        else:
            pick(value, fields)
    return ApiResponse.json(status, value)
