"""What PocketBase 0.40 refuses in a collection before it touches a table, with its keys and messages.

Observed on the binary (tests/data/test_collection_errors_oracle.py runs the same failing migrations on
both sides): a collection or field name must be word characters only; `expand`, `collectionId` and
`collectionName` are reserved field names; a relation's `collectionId` must name an existing collection
(or the collection itself); an index must parse as CREATE INDEX and have a name not used before in the
list; system fields keep their names and stay; a system collection keeps its name. Messages are stored
as the binary prints them before its final `.` (runtime.render.migrate joins them).
"""
from __future__ import annotations

import re

from .ddl import parse_index

_NAME_RE = re.compile(r"^\w+$")
_RESERVED_FIELDS = ("expand", "collectionId", "collectionName")


def _field_errors(db, collection) -> dict:
    errors: dict = {}
    for i, field in enumerate(collection.fields):
        name = field.get("name", "")
        if not name:
            errors[str(i)] = {"name": "cannot be blank"}
        elif not _NAME_RE.match(name) or len(name) > 255:
            errors[str(i)] = {"name": "must be in a valid format"}
        elif name in _RESERVED_FIELDS:
            errors[str(i)] = {"name": "must not be in list"}
        elif field["type"] == "relation" and field.get("collectionId") != collection.id and not db.query(
                "SELECT 1 FROM _collections WHERE id = ?", (field.get("collectionId") or "",)):
            errors[str(i)] = {"collectionId": "The relation collection doesn't exist."}
    return errors


def _index_errors(collection) -> dict:
    errors, seen = {}, set()
    for i, sql in enumerate(collection.indexes):
        parsed = parse_index(sql)
        if parsed is None or not parsed["columns"]:
            errors[str(i)] = "Invalid CREATE INDEX expression."
        elif parsed["name"].lower() in seen:
            errors[str(i)] = "The index name already exists."
        else:
            seen.add(parsed["name"].lower())
    return errors


def collection_errors(db, collection, old) -> dict:
    """The key -> message map of everything the binary would refuse in `collection` (saved over `old`)."""
    errors: dict = {}
    if collection.name and not _NAME_RE.match(collection.name):
        errors["name"] = "must be in a valid format"
    elif old is not None and old.system and old.name != collection.name:
        errors["name"] = "System collection name cannot be changed."
    if old is not None:
        for before in old.fields:
            now = collection.field_by_id(before["id"])
            if before.get("system") and (now is None or now["name"] != before["name"]):
                errors["fields"] = "System fields cannot be deleted or renamed."
                break
    if "fields" not in errors:
        fields = _field_errors(db, collection)
        if fields:
            errors["fields"] = fields
    indexes = _index_errors(collection)
    if indexes:
        errors["indexes"] = indexes
    return errors
