"""How records cross to JavaScript: each collection once, each record as its raw stored values.

A reply that carries records (bindings/app_query.py `_pack`) is `{"b": base, "l": listed, "k": {collectionId:
spec}, "r": [run...], "u": [handle, custom, ...], "x": [link...]}`, every handle written as its offset from `b` (the
session's first handle; JavaScript adds it back):
- `l` is the handles of the records asked for, in order, or their count when they are `0, 1, ... n-1` (a list
  found afresh: the common case, written as one number);
- a spec is `[collection as JSON text, [[name, kind, hidden]...], isAuth, its id, its name]`, sent once per
  request while the collection stays the same (a reply leaves out what an earlier reply of the request already gave);
- a run is `[collectionId, isNew, handle, value per field (in field order)..., handle, values..., ...]`: the
  records of one collection and one isNew flat, each the collection's field count of values after its handle
  (QuickJS parses one flat array much faster than an array per record, and JavaScript reads a record's values
  in place, at its offset in the run); a record JavaScript already holds unchanged is not sent again; the roots
  come first, in their order, then the records their expands reach;
- `u` pairs a record sent in a run with its custom values `{name: value}`, when it has any;
- `x` pairs a record with the records its expand reaches, flat as the runs: a link is `handle, relation count,
  (relation, multiple, n, n handles) per relation` (QuickJS parsed the earlier object per expanded record at about
  twice the cost of the whole list of records; JavaScript reads a record's part only when page code asks).
bindings/record_values.js computes every getter and the public export from these values, lazily, with the
same rules as runtime/data/fields.py (tests/bindings/test_record_values_parity.py holds the two together).
Values cross as stored, but for three kinds JSON cannot carry as they are: a number that is NaN or infinite
travels as its text, a json field's raw bytes as their UTF-8 text ("" for none), a password as its plain text.
"""
from __future__ import annotations

import json
from itertools import chain

import orjson

from runtime.data.fields import PasswordValue
from runtime.data.records import Record

GENERIC, NUMBER, DATE, JSONRAW = 0, 1, 2, 3
_KINDS = {"number": NUMBER, "date": DATE, "autodate": DATE, "json": JSONRAW}
_NONFINITE = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}
_UNSENT = object()
_SPECS: dict[int, tuple] = {}  # id(collection) -> (collection, spec_of's answer)
_SPECS_SIZE = 64


def spec_of(record: Record) -> tuple:
    """`(wire spec, [(index, type) of the values to convert])` of the record's collection, made once per
    collection object (a find's records share read_collection's, kept while its `_collections` row is the same)."""
    collection = record.collection
    found = _SPECS.get(id(collection))
    if found is not None and found[0] is collection:
        return found[1]
    if len(_SPECS) >= _SPECS_SIZE:
        _SPECS.clear()
    made = _spec_of(record)
    _SPECS[id(collection)] = (collection, made)  # holding the collection: its id names no other object meanwhile
    return made


def _spec_of(record: Record) -> tuple:
    desc, convert = [], []
    for i, (name, field) in enumerate(record.fields.items()):
        kind = field.get("type")
        desc.append([name, _KINDS.get(kind, GENERIC), bool(field.get("hidden"))])
        if kind in ("number", "json", "password"):
            convert.append((i, kind))
    collection = record.collection
    return [_text(collection), desc, collection.get("type") == "auth", collection.get("id", ""),
            collection.get("name", "")], convert


def _text(collection: dict) -> str:
    """The collection as JSON text: JavaScript parses it only when page code asks for `record.collection()` (a
    collection's ~40 keys per field cost QuickJS more to parse than a 50-record list's values)."""
    try:
        return orjson.dumps(collection).decode("utf-8")
    except orjson.JSONEncodeError:  # what orjson refuses (an integer beyond 64 bits): as the reply would carry it
        return json.dumps(collection, ensure_ascii=False, allow_nan=False)


def _converted(kind: str, value):
    if kind == "number":
        return _NONFINITE[repr(value)] if isinstance(value, float) and value - value != 0 else value
    if kind == "json":
        return value.decode("utf-8") if isinstance(value, bytes) else value
    return value.plain if isinstance(value, PasswordValue) else value


class WireState:
    """What JavaScript holds in one request: the handles whose current values it has, the specs it has."""

    __slots__ = ("sent", "specs")

    def __init__(self):
        # handle -> its custom values as sent (None: none): an expand sets a back-relation's ids as one
        self.sent: dict[int, dict | None] = {}
        self.specs: dict[str, tuple] = {}  # collection id -> (collection dict, convert list)

    def forget(self, handle: int) -> None:
        """The record changed (sets applied, saved): its next reply sends it again."""
        self.sent.pop(handle, None)

    def pack(self, handle_of, roots, base: int = 0, handles: dict | None = None) -> dict:
        """The reply for `roots` and every record their expands reach; `handle_of(record)` -> its handle, sent
        as its offset from `base` (the session's first handle: short numbers to write and to parse); `handles`
        (id(record) -> handle) answers the records that have one without a call.

        One walk, the roots first, then what their expands reach: each collection object met is looked up once
        per reply (its id and the values to convert), each record's handle asked once, and a stored record of
        the same collection as the record packed before it (a find's list) goes straight onto its run."""
        runs, customs, links, specs = {}, [], [], {}
        sent, seen, kinds = self.sent, set(), {}
        known = (handles or {}).get
        listed = [(known(id(r)) or handle_of(r)) - base for r in roots]
        todo = []  # the records expands reach: it grows while it is walked
        push, add, note = todo.append, seen.add, links.append
        last = run = convert = None  # the collection whose stored run was packed last, that run, its conversions
        for key, record in chain(zip(listed, roots), todo):
            if key in seen:
                continue
            add(key)
            handle = key + base
            custom = record.custom
            if custom or handle in sent or record.collection is not last or record._row is None:
                was = sent.get(handle, _UNSENT)
                if was is not _UNSENT and was == (custom or None):  # JavaScript holds it as it is
                    last = None
                    run = None
                else:
                    collection = record.collection
                    kind = kinds.get(id(collection))
                    if kind is None:
                        kind = kinds[id(collection)] = self._kind(record, specs)
                    is_new = record._original is None and record._row is None  # Record.is_new, read in place
                    run = runs.get((kind[0], is_new))
                    if run is None:
                        run = runs[(kind[0], is_new)] = [kind[0], is_new]
                    convert = kind[1]
                    last = None if is_new else collection
            if run is not None:
                run.append(key)
                if convert:
                    values = list(record.values.values())
                    for i, how in convert:
                        value = values[i]
                        if how != "number":
                            values[i] = _converted(how, value)
                        elif value.__class__ is float and value - value != 0:  # NaN and the infinities
                            values[i] = _NONFINITE[repr(value)]
                    run.extend(values)
                else:
                    run.extend(record.values.values())
                if custom:
                    customs.append(key)
                    customs.append(custom)
                    sent[handle] = dict(custom)
                else:
                    sent[handle] = None
            expand = record.expand
            if expand is not None:
                note(key)
                note(len(expand))
                for name, value in expand.items():
                    if isinstance(value, list):
                        keys = [(known(id(r)) or handle_of(r)) - base for r in value]
                        links.extend((name, True, len(keys)))
                        links.extend(keys)
                        todo.extend(zip(keys, value))
                    else:  # one record (a single relation): no list made for it
                        one = (known(id(value)) or handle_of(value)) - base
                        links.extend((name, False, 1, one))
                        push((one, value))
        count = len(listed)
        out = {"b": base, "l": count if count and listed[-1] == count - 1 and listed == list(range(count)) else listed,
               "r": list(runs.values())}
        if specs:
            out["k"] = specs
        if customs:
            out["u"] = customs
        if links:
            out["x"] = links
        return out

    def _kind(self, record: Record, specs: dict) -> tuple:
        """`(collection id, convert list)` of the record's collection; its spec joins `specs` unless JavaScript
        holds it already (sent earlier in the request for this same collection)."""
        collection = record.collection
        collection_id = str(collection.get("id", ""))
        known = self.specs.get(collection_id)
        if known is None or (known[0] is not collection and known[0] != collection):
            spec, convert = spec_of(record)
            known = self.specs[collection_id] = (collection, convert)
            specs[collection_id] = spec
        return collection_id, known[1]
