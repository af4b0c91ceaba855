"""How records cross to JavaScript: each collection once, each record as its raw stored values.

A reply that carries records (bindings/app_query.py `_pack`) is `{"l": [handle...], "k": {collectionId: spec},
"r": {handle: row}, "x": {handle: {relation: [multiple, [handle...]]}}}`:
- a spec is `[collection, [[name, kind, hidden]...], isAuth]`, sent once per request while the collection
  stays the same (a reply leaves out what an earlier reply of the request already gave);
- a row is `[collectionId, isNew, [value per field, in field order]]` plus, when the record has any,
  its custom values `{name: value}`; a record JavaScript already holds unchanged is not sent again;
- `x` maps a record to the records its expand reaches.
bindings/record_values.js computes every getter and the public export from these values, lazily, with the
same rules as runtime/data/fields.py (tests/bindings/test_record_values_parity.py holds the two together).
Values cross as stored, but for three kinds JSON cannot carry as they are: a number that is NaN or infinite
travels as its text, a json field's raw bytes as their UTF-8 text ("" for none), a password as its plain text.
"""
from __future__ import annotations

from runtime.data.fields import PasswordValue
from runtime.data.records import Record

GENERIC, NUMBER, DATE, JSONRAW = 0, 1, 2, 3
_KINDS = {"number": NUMBER, "date": DATE, "autodate": DATE, "json": JSONRAW}
_NONFINITE = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}


def spec_of(record: Record) -> tuple:
    """`(wire spec, [(index, type) of the values to convert])` of the record's collection."""
    desc, convert = [], []
    for i, (name, field) in enumerate(record.fields.items()):
        kind = field.get("type")
        desc.append([name, _KINDS.get(kind, GENERIC), bool(field.get("hidden"))])
        if kind in ("number", "json", "password"):
            convert.append((i, kind))
    return [record.collection, desc, record.collection.get("type") == "auth"], convert


def _converted(kind: str, value):
    if kind == "number":
        return _NONFINITE[repr(value)] if isinstance(value, float) and value - value != 0 else value
    if kind == "json":
        return value.decode("utf-8") if isinstance(value, bytes) else value
    return value.plain if isinstance(value, PasswordValue) else value


def row_of(record: Record, collection_id: str, convert) -> list:
    """The record's row (see the module doc); `convert` comes from spec_of for its collection."""
    values = list(record.values.values())
    for i, kind in convert:
        values[i] = _converted(kind, values[i])
    row = [collection_id, record.original is None, values]
    if record.custom:
        row.append(record.custom)
    return row


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

    def pack(self, handle_of, roots) -> dict:
        """The reply for `roots` and every record their expands reach; `handle_of(record)` -> its handle."""
        rows, links, specs = {}, {}, {}
        seen = set()
        todo = list(roots)
        while todo:
            record = todo.pop()
            handle = handle_of(record)
            if handle in seen:
                continue
            seen.add(handle)
            custom = record.custom
            if handle not in self.sent or self.sent[handle] != (custom or None):
                rows[handle] = self._row(record, specs)
                self.sent[handle] = dict(custom) if custom else None
            if record.expand is not None:
                found = links[handle] = {}
                for name, value in record.expand.items():
                    related = value if isinstance(value, list) else [value]
                    found[name] = [isinstance(value, list), [handle_of(r) for r in related]]
                    todo.extend(related)
        out = {"l": [handle_of(r) for r in roots], "r": rows}
        if specs:
            out["k"] = specs
        if links:
            out["x"] = links
        return out

    def _row(self, record: Record, specs: dict) -> list:
        collection = record.collection
        collection_id = str(collection.get("id", ""))
        known = self.specs.get(collection_id)
        if known is None or (known[0] is not collection and known[0] != collection):
            spec, convert = spec_of(record)
            known = self.specs[collection_id] = (collection, convert)
            specs[collection_id] = spec
        return row_of(record, collection_id, known[1])
