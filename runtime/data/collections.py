"""Collections as PocketBase 0.40 keeps them in `_collections`, and the work of saving and deleting them.

A Collection holds what the row holds: `fields` are PocketBase's field dicts (runtime.data.schema_fields
fills every key), `options` the JSON column (auth settings with their secrets, or a view's
`viewQuery`; `{}` for a base collection). The REST API and `new Collection({...})` show the options
flattened beside the other keys: `to_api`/`from_api` convert. Observed on the binary: a collection's
id is `pbc_` + the CRC-32 of its type followed by its name; a base or auth collection gets the `id`
field first; an auth collection gets its system fields appended after the given ones and two unique
indexes (`tokenKey`, non-empty `email`); a field's type can never change.
"""
from __future__ import annotations

import dataclasses
import json
import zlib

from . import ddl
from .collection_checks import collection_errors
from .auth_options import complete_auth_options
from .db import Database, NotFoundError, dump_json, now_stamp
from .schema_fields import auth_fields, id_field, normalize_field
from .views import ViewQueryError, infer_view

RULES = ("listRule", "viewRule", "createRule", "updateRule", "deleteRule")
# The system collections whose records belong to one auth record (collectionRef, recordRef).
OWNED_BY_RECORDS = ("_mfas", "_otps", "_externalAuths", "_authOrigins")
_COLUMNS = ("id", "system", "type", "name", "fields", "indexes", *RULES, "options", "created", "updated")


class CollectionError(ValueError):
    """A collection the binary would refuse to save or delete; `data` maps keys to messages."""

    def __init__(self, message: str, data: dict | None = None):
        super().__init__(message)
        self.data = data or {}


def collection_id(type_: str, name: str) -> str:
    return "pbc_" + str(zlib.crc32((type_ + name).encode("utf-8")))


@dataclasses.dataclass
class Collection:
    name: str
    type: str = "base"
    id: str = ""
    system: bool = False
    fields: list = dataclasses.field(default_factory=list)
    indexes: list = dataclasses.field(default_factory=list)
    listRule: str | None = None
    viewRule: str | None = None
    createRule: str | None = None
    updateRule: str | None = None
    deleteRule: str | None = None
    options: dict = dataclasses.field(default_factory=dict)
    created: str = ""
    updated: str = ""
    view_sql: str = dataclasses.field(default="", compare=False, repr=False)  # a view's SELECT, as created

    @property
    def view_query(self) -> str:
        return self.options.get("viewQuery", "")

    def field(self, name: str) -> dict | None:
        return next((f for f in self.fields if f["name"] == name), None)

    def field_by_id(self, id_: str) -> dict | None:
        return next((f for f in self.fields if f["id"] == id_), None)

    @classmethod
    def from_row(cls, row) -> "Collection":
        data = dict(row)
        for key in ("fields", "indexes", "options"):
            data[key] = json.loads(data[key]) if data[key] else ([] if key != "options" else {})
        data["system"] = bool(data["system"])
        return cls(**{k: data[k] for k in _COLUMNS})

    def to_row(self) -> tuple:
        values = dataclasses.asdict(self)
        for key in ("fields", "indexes", "options"):
            values[key] = dump_json(values[key])
        return tuple(values[k] for k in _COLUMNS)

    def to_api(self, with_secrets: bool = False) -> dict:
        """The REST API's shape: options flattened after the common keys; token secrets left out, as it does."""
        out = {"id": self.id, **{r: getattr(self, r) for r in RULES}, "name": self.name, "type": self.type,
               "fields": self.fields, "indexes": self.indexes, "created": self.created,
               "updated": self.updated, "system": self.system}
        for key, value in self.options.items():
            if not with_secrets and isinstance(value, dict) and "secret" in value:
                value = {k: v for k, v in value.items() if k != "secret"}
            out[key] = value
        return out

    @classmethod
    def from_api(cls, data: dict) -> "Collection":
        """From the REST API's or `new Collection({...})`'s flat shape; unknown keys become options."""
        known = {f.name for f in dataclasses.fields(cls)} - {"options", "view_sql"}
        kwargs = {k: v for k, v in data.items() if k in known}
        kwargs["fields"] = [dict(f) for f in kwargs.get("fields") or []]
        kwargs["indexes"] = list(kwargs.get("indexes") or [])
        kwargs["options"] = {k: v for k, v in data.items() if k not in known}
        return cls(**kwargs)


def _prepare(db: Database, c: Collection, old: Collection | None) -> None:
    """Fill what the binary fills before it saves: id, every field key, system fields, auth indexes, options."""
    if c.type not in ("base", "auth", "view"):
        raise CollectionError("Failed to save collection.", {"type": "Must be a valid value."})
    c.id = c.id or collection_id(c.type, c.name)
    fields = [normalize_field(f) for f in c.fields]
    if c.type != "view" and not any(f["name"] == "id" for f in fields):
        fields.insert(0, id_field())
    elif c.type == "view" and not any(f["name"] == "id" for f in fields):
        fields.insert(0, id_field(autogenerate=False))
    if c.type == "auth":
        names = {f["name"] for f in fields}
        fields.extend(f for f in auth_fields() if f["name"] not in names)
        for column, where in (("tokenKey", ""), ("email", " WHERE `email` != ''")):
            if not any(f"(`{column}`)" in ix or f"({column})" in ix for ix in c.indexes):
                c.indexes.append(f"CREATE UNIQUE INDEX `idx_{column}_{c.id}` ON `{c.name}` (`{column}`){where}")
        c.options = complete_auth_options(c.options, old.options if old and old.type == "auth" else None)
    elif c.type == "view":
        c.options = {"viewQuery": c.options.get("viewQuery", "")}
        fields = _view_fields(db, c)
    else:
        c.options = {}
    c.fields = fields


def _view_fields(db: Database, c: Collection) -> list:
    """The fields the binary infers from the view's query (whatever fields were given), and its SQL."""

    def lookup(name: str) -> Collection | None:
        try:
            return find_collection_by_name_or_id(db, name)
        except NotFoundError:
            return None

    try:
        fields, c.view_sql = infer_view(db.conn, c.view_query, lookup)
    except ViewQueryError as e:
        raise CollectionError("Failed to save collection.", e.data) from None
    return fields


def _check_change(old: Collection, new: Collection) -> None:
    if old.type != new.type:
        raise CollectionError("Failed to update collection.", {"type": "Collection type cannot be changed."})
    errors = {}
    for i, field in enumerate(new.fields):
        before = old.field_by_id(field["id"])
        if before is not None and before["type"] != field["type"]:
            errors[str(i)] = "Field type cannot be changed."
    if errors:
        raise CollectionError("Failed to update collection.", {"fields": errors})


def _check_name(db: Database, c: Collection) -> None:
    clash = db.query("SELECT id FROM _collections WHERE lower(name) = lower(?) AND id != ?", (c.name, c.id))
    if clash or not c.name:
        raise CollectionError("Failed to save collection.",
                              {"name": "Collection name must be unique (case insensitive)." if clash
                               else "Cannot be blank."})


def _with_indexes(change, *args) -> None:
    """A table change whose index SQLite refuses is the binary's `indexes` error."""
    try:
        change(*args)
    except ddl.IndexFailure as e:
        raise CollectionError("Failed to save collection.", {"indexes": {str(e.position): e.message}}) from None


_FIND = "SELECT * FROM _collections WHERE id = ? OR lower(name) = lower(?) LIMIT 1"
_READ: dict = {}  # a `_collections` row (as a tuple) -> (its Collection, that one's to_api()), for reads
_READ_SIZE = 256
_SHAPES: dict = {}  # id(a Collection in _READ) -> that entry, so its shape is found again without a query


def find_collection_by_name_or_id(db: Database, key: str) -> Collection:
    """The collection whose id is `key` or whose name equals it case-insensitively, else NotFoundError."""
    row = db.execute(_FIND, (key, key)).fetchone()
    if row is None:
        raise NotFoundError()
    return Collection.from_row(row)


def read_collection(db: Database, key: str) -> tuple[Collection, dict]:
    """For reading records: what find_collection_by_name_or_id finds, and its to_api() shape, parsed once per
    distinct row; both objects are shared between calls, and no reader changes them (records keep the shape as
    their `collection`).

    The row is read again only when the database may have changed since (a page reads it two or three times:
    the query, the expand, its related collection): outside a transaction, what was read stands while this
    connection has written nothing (its `total_changes`) and no other connection has committed (`PRAGMA
    data_version`: other workers, the binary, a migration's connection). So a collection changed by any of
    them is seen by the very next query. Inside a transaction the row is always read (a rollback undoes
    writes without a trace in either counter)."""
    conn = db.conn
    if conn.in_transaction:
        return _read_row(db, key)
    mark = (conn.total_changes, db.execute("PRAGMA data_version").fetchone()[0])
    reads = db.collection_reads
    if reads.get(None) != mark or len(reads) > _READ_SIZE:
        reads.clear()
        reads[None] = mark
    found = reads.get(key)
    if found is None:
        found = reads[key] = _read_row(db, key)
    return found


def _read_row(db: Database, key: str) -> tuple[Collection, dict]:
    row = db.execute(_FIND, (key, key)).fetchone()
    if row is None:
        raise NotFoundError()
    ident = tuple(row)
    found = _READ.get(ident)
    if found is None:
        if len(_READ) >= _READ_SIZE:
            _READ.clear()
            _SHAPES.clear()
        collection = Collection.from_row(row)
        found = _READ[ident] = _SHAPES[id(collection)] = (collection, collection.to_api())
    return found


def shape_of(db: Database, collection: Collection) -> dict:
    """The to_api() shape read_collection paired with this very collection object (one just read: an expand's
    related collection), without reading its row again; any other object is read afresh by its id."""
    found = _SHAPES.get(id(collection))
    if found is not None and found[0] is collection:
        return found[1]
    return read_collection(db, collection.id)[1]


def all_collections(db: Database) -> list[Collection]:
    return [Collection.from_row(r) for r in db.query("SELECT * FROM _collections ORDER BY rowid")]


def save_collection(db: Database, collection: Collection) -> Collection:
    """Create or update `collection` (row, table or view, indexes) in one transaction; returns it filled in."""

    def work(db: Database) -> Collection:
        old_row = db.execute("SELECT * FROM _collections WHERE id = ?", (collection.id,)).fetchone() \
            if collection.id else None
        old = Collection.from_row(old_row) if old_row else None
        _prepare(db, collection, old)
        errors = collection_errors(db, collection, old)
        if errors:
            raise CollectionError("Failed to save collection.", errors)
        _check_name(db, collection)
        stamp = now_stamp()
        collection.updated = stamp
        if old is None:
            collection.created = collection.created or stamp
            db.execute(f"INSERT INTO _collections ({', '.join(_COLUMNS)}) VALUES "
                       f"({', '.join('?' * len(_COLUMNS))})", collection.to_row())
            _with_indexes(ddl.create_table, db.conn, collection)
            return collection
        _check_change(old, collection)
        collection.created = old.created
        db.execute(f"UPDATE _collections SET {', '.join(c + ' = ?' for c in _COLUMNS[1:])} WHERE id = ?",
                   collection.to_row()[1:] + (collection.id,))
        _with_indexes(ddl.alter_table, db.conn, old, collection)
        return collection

    return db.run_in_transaction(work)


def delete_collection(db: Database, collection: Collection) -> None:
    """Drop the collection's table (or view) and its row; system collections are refused, as by the binary."""
    if collection.system:
        raise CollectionError("Failed to delete collection.", {"system": "System collections cannot be deleted."})

    def work(db: Database) -> None:
        ddl.drop_table(db.conn, collection)
        db.execute("DELETE FROM _collections WHERE id = ?", (collection.id,))
        if collection.type == "auth":  # what its records owned goes too, as on the binary
            for table in OWNED_BY_RECORDS:
                db.execute(f"DELETE FROM {ddl.quote(table)} WHERE collectionRef = ?", (collection.id,))

    db.run_in_transaction(work)
