"""Two collections and a sequence of record writes, done by pagesvm's DataStore and by the real binary's REST API.

`authors` has a plain unique index and a partial, case-insensitive one; `posts` points at authors through a
single, a multiple, a cascading and a required relation. Ids are explicit so both files can be compared row by row.
"""
from runtime.data.collections import collection_id
from runtime.data.store import RequiredReferenceError
from runtime.data.validation import ValidationError

AUTHORS = {"name": "authors", "type": "base", "listRule": "", "viewRule": "", "fields": [
    {"name": "name", "type": "text"}, {"name": "slug", "type": "text"}, {"name": "kind", "type": "text"},
    {"name": "created", "type": "autodate", "onCreate": True},
    {"name": "updated", "type": "autodate", "onCreate": True, "onUpdate": True}],
    "indexes": ["CREATE UNIQUE INDEX idx_slug ON authors (slug COLLATE NOCASE) WHERE kind = 'x'",
                "CREATE UNIQUE INDEX idx_name ON authors (name)"]}
_AID = collection_id("base", "authors")
POSTS = {"name": "posts", "type": "base", "listRule": "", "viewRule": "", "fields": [
    {"name": "title", "type": "text", "required": True},
    {"name": "opt", "type": "relation", "collectionId": _AID, "maxSelect": 1},
    {"name": "many", "type": "relation", "collectionId": _AID, "maxSelect": 5},
    {"name": "casc", "type": "relation", "collectionId": _AID, "maxSelect": 1, "cascadeDelete": True},
    {"name": "req", "type": "relation", "collectionId": _AID, "maxSelect": 1, "required": True},
    {"name": "created", "type": "autodate", "onCreate": True},
    {"name": "updated", "type": "autodate", "onCreate": True, "onUpdate": True}]}


def aid(n: int) -> str:
    return "a%014d" % n


def pid(n: int) -> str:
    return "p%014d" % n


# (operation, collection, id, body): "create" / "update" / "delete"
OPS = [
    ("create", "authors", aid(1), {"name": "A1", "slug": "s", "kind": "x"}),
    ("create", "authors", aid(2), {"name": "A2", "slug": "S", "kind": "x"}),       # partial NOCASE: taken
    ("create", "authors", aid(2), {"name": "A2", "slug": "S", "kind": "y"}),       # outside the WHERE: fine
    ("create", "authors", aid(1), {"name": "A9", "slug": "q", "kind": "y"}),       # id taken
    ("create", "authors", aid(3), {"name": "A1", "slug": "q", "kind": "y"}),       # name taken
    ("create", "authors", aid(4), {"name": "A4"}),
    ("create", "authors", aid(5), {"name": "A5"}),
    ("create", "authors", aid(6), {"name": "A6"}),
    ("create", "authors", aid(7), {"name": "A7"}),
    ("update", "authors", aid(2), {"kind": "x"}),                                  # now inside: S vs s taken
    ("update", "authors", aid(2), {"name": "A2 renamed", "slug": "t"}),
    ("create", "posts", pid(1), {"title": "p1", "req": "missing00000000"}),        # relation target missing
    ("create", "posts", pid(1), {"title": "", "req": aid(4)}),                     # required title
    ("create", "posts", pid(1), {"title": "p1", "opt": aid(1), "many": [aid(1), aid(2)], "req": aid(4)}),
    ("create", "posts", pid(2), {"title": "p2", "casc": aid(5), "many": [aid(5)], "req": aid(6)}),
    ("create", "posts", pid(3), {"title": "p3", "req": aid(7), "many": [aid(7)]}),
    ("update", "posts", pid(3), {"opt": aid(2)}),
    ("delete", "authors", aid(1), None),                                           # cleared from opt and many
    ("delete", "authors", aid(4), None),                                           # required: refused
    ("delete", "authors", aid(5), None),                                           # cascade: p2 deleted
    ("delete", "authors", aid(2), None),                                           # cleared from p1 and p3
    ("delete", "posts", pid(3), None),
    ("delete", "authors", aid(7), None),                                           # nothing points at it now
]


def through_store(store, op, collection, id_, body):
    """One operation of OPS through a DataStore: ("saved",), ("invalid", the REST data) or ("refused",)."""
    try:
        if op == "create":
            store.save(store.new_record(collection, {"id": id_, **body}))
        else:
            record = store.find_record_by_id(collection, id_)
            if op == "update":
                for name, value in body.items():
                    record.set(name, value)
                store.save(record)
            else:
                store.delete(record)
    except ValidationError as error:
        return ("invalid", error.data())
    except RequiredReferenceError:
        return ("refused",)
    return ("saved",)
