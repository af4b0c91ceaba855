"""`expandRecord(s)`: relations loaded into `record.expand`, as PocketBase 0.40 does it.

A path is `field`, `field.next...` (at most 6 levels) or a back-relation `collection_via_field`. Observed on the
binary (tests/data/test_query_corpus_oracle.py): paths are stripped of spaces and dots, and a path another one
extends is dropped; every record of the batch gets an `expand` (empty when nothing was found) once a path
resolves; related records keep the order of the relation's ids (ids that are gone are skipped); a
back-relation's ids (at most 1000, row order) are also set on the record as a value under the path's name, and
it is single when the field has a unique index of its own; re-expanding a field merges what was expanded under
its records before. A path that cannot resolve is reported in the returned map (path -> error text), the others
still expand.
"""
from __future__ import annotations

import re

from .collections import shape_of
from .ddl import parse_index, quote
from .fields import is_multiple
from .finders import records_by_ids
from .records import Record

MAX_LEVELS = 6
BACK_LIMIT = 1000
_BACK = re.compile(r"^(\w+)_via_(\w+)$")


def normalize_paths(paths) -> list[str]:
    cleaned = [p for p in (str(p).replace(" ", "").strip(".") for p in paths or []) if p]
    kept = [p for i, p in enumerate(cleaned)
            if not any(j != i and other.startswith(p + ".") for j, other in enumerate(cleaned))]
    return list(dict.fromkeys(kept))


def expand_records(store, records: list[Record], paths, fetch=None) -> dict[str, str]:
    """Expand every path on `records` (all of one collection); the failed paths and their error text.

    `fetch(collection, ids)` loads related records (default: findRecordsByIds on the store)."""
    if fetch is None:
        def fetch(collection, ids):
            return records_by_ids(store, (collection, shape_of(store.db, collection)), ids)
    failed = {}
    for path in normalize_paths(paths):
        try:
            _expand(store, records, path, fetch, 1)
        except (LookupError, ValueError) as exc:
            failed[path] = str(exc)
    return failed


def _find(store, key: str):
    try:
        return store.read_collection(key)[0]
    except LookupError:
        return None


def _expand(store, records: list[Record], path: str, fetch, level: int) -> None:
    if not path or level > MAX_LEVELS or not records:
        return
    main = records[0].collection
    head, _, rest = path.partition(".")
    back = _BACK.match(head)
    if back:
        related = _find(store, back.group(1))
        field = related.field(back.group(2)) if related else None
        if related is None:
            raise LookupError(f'couldn\'t find back-related collection "{back.group(1)}"')
        if field is None or field.get("type") != "relation" or field.get("collectionId") != main.get("id"):
            raise LookupError(f'couldn\'t find back-relation field "{back.group(2)}" in collection "{related.name}"')
        _set_back_ids(store, records, head, related, field)
        multiple = not _has_unique_index(related, field["name"])
    else:
        field = next((f for f in main.get("fields") or [] if f["name"] == head), None)
        if field is None or field.get("type") != "relation":
            raise LookupError(f'couldn\'t find relation field "{head}" in collection "{main.get("name")}"')
        related = _find(store, field.get("collectionId") or "")
        if related is None:
            raise LookupError(f'couldn\'t find related collection "{field.get("collectionId")}"')
        multiple = is_multiple(field)
    slices = _ids_of(records, head)
    ids = list(dict.fromkeys(i for found in slices for i in found))
    rels = fetch(related, ids) if ids else []
    if rest:
        _expand(store, rels, rest, fetch, level + 1)
    by_id = {rel.id: rel for rel in rels}
    for record, found in zip(records, slices):
        expand = record.expand
        if expand is None:
            expand = record.expand = {}
        valid = [by_id[i] for i in found if i in by_id]
        if not valid:
            continue
        before = expand.get(head)
        if before is not None:  # expanded before: what was expanded under its records is kept
            for old in _as_list(before):
                for rel in valid:
                    if rel.id == old.id:
                        merge_expand(rel, old.expand or {})
        expand[head] = valid if multiple else valid[0]


def _ids_of(records: list[Record], name: str) -> list[list]:
    """Each record's ids under `name`, read once: a single relation's stored id (a str starting with a letter or
    digit) is its list as it stands, anything else goes through getStringSlice."""
    out = []
    for record in records:
        value = record.values.get(name)
        out.append([value] if value.__class__ is str and value[:1].isalnum() else record.get_string_slice(name))
    return out


def _set_back_ids(store, records: list[Record], name: str, related, field: dict) -> None:
    column = quote(field["name"])
    if is_multiple(field):
        test = (f"json_valid({column}) AND EXISTS (SELECT 1 FROM json_each({column}) je WHERE je.value = ?)")
    else:
        test = f"{column} = ?"
    sql = f"SELECT id FROM {quote(related.name)} WHERE {test} LIMIT {BACK_LIMIT}"
    for record in records:
        ids = [row[0] for row in store.db.query(sql, (record.id,))]
        if ids:
            record.set(name, ids)


def _has_unique_index(collection, column: str) -> bool:
    for sql in collection.indexes:
        index = parse_index(sql)
        if index and index["unique"] and len(index["columns"]) == 1 and \
                index["columns"][0].split(" ")[0] == quote(column):
            return True
    return False


def _as_list(value) -> list:
    if isinstance(value, Record):
        return [value]
    return value if isinstance(value, list) else []


def merge_expand(record: Record, expand: dict) -> None:
    """Merge `expand` into the record's: lists join by id, records met on both sides merge theirs in turn."""
    if not expand:
        return
    if record.expand is None:
        record.expand = dict(expand)
        return
    for key, new in expand.items():
        old = record.expand.get(key)
        if key not in record.expand or not isinstance(old, (Record, list)):
            record.expand[key] = new
            continue
        if not isinstance(new, (Record, list)):
            continue
        olds = _as_list(old)
        indexed = {r.id: r for r in olds}
        merged = list(olds)
        for rel in _as_list(new):
            if rel.id in indexed:
                merge_expand(indexed[rel.id], rel.expand or {})
            else:
                merged.append(rel)
        record.expand[key] = merged if isinstance(old, list) or isinstance(new, list) else merged[0]
