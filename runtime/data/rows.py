"""Plain row writes and reads on a collection's table, below any record validation.

The bootstrap of a data.db and the tests need to put rows in and read them back before the Record
layer (fields, validation) exists on top; this stores values the way the binary's columns hold
them (lists and objects as JSON text, booleans as 0/1, autodate fields stamped) and nothing more.
"""
from __future__ import annotations

import json

from .auth_options import random_string
from .collections import Collection
from .db import Database, NotFoundError, dump_json, new_record_id, now_stamp
from .ddl import quote
from .schema_fields import column_default, is_multiple


def _stored(field: dict, value):
    if field["type"] == "bool":
        return 1 if value else 0
    if isinstance(value, (list, dict)) or (field["type"] == "json" and value is not None):
        return dump_json(value)
    return value


def insert_row(db: Database, collection: Collection, values: dict) -> dict:
    """Insert one row (id made when missing, autodates and an auth tokenKey filled); returns what was stored."""
    stamp = now_stamp()
    row = {}
    for field in collection.fields:
        name = field["name"]
        if name in values:
            row[name] = _stored(field, values[name])
        elif name == "id":
            row[name] = new_record_id()
        elif field["type"] == "autodate" and field.get("onCreate"):
            row[name] = stamp
        elif name == "tokenKey" and collection.type == "auth":
            row[name] = random_string(50)
        else:
            row[name] = column_default(field)
    names = list(row)
    db.run_in_transaction(lambda db: db.execute(
        f"INSERT INTO {quote(collection.name)} ({', '.join(map(quote, names))}) "
        f"VALUES ({', '.join('?' * len(names))})", [row[n] for n in names]))
    return row


def _decoded(field: dict, value):
    if field["type"] == "bool":
        return bool(value)
    if isinstance(value, str) and (field["type"] in ("json", "geoPoint") or is_multiple(field)):
        return json.loads(value)
    return value


def read_rows(db: Database, collection: Collection) -> list[dict]:
    """Every row of the collection's table in rowid order, JSON columns decoded, booleans as bool."""
    fields = {f["name"]: f for f in collection.fields}
    out = []
    for raw in db.query(f"SELECT * FROM {quote(collection.name)}"):
        out.append({k: _decoded(fields[k], raw[k]) if k in fields else raw[k] for k in raw.keys()})
    return out


def read_row(db: Database, collection: Collection, record_id: str) -> dict:
    rows = [r for r in read_rows(db, collection) if r.get("id") == record_id]
    if not rows:
        raise NotFoundError()
    return rows[0]
