"""runtime.data.validation against the real PocketBase 0.40: each body is sent to its REST create and its
`$app.validate` (through a hook), and the binary's error codes, messages, params and Go error text must equal what
our Record + validate give for the same body. Lookups (relation targets, unique indexes) ask the same server."""
import urllib.parse

import pytest

from runtime.data.records import Record
from runtime.data.validation import ValidationError
from tests.helpers import PocketBase

HOOK = """
routerAdd("POST", "/check", (e) => {
  const body = e.requestInfo().body
  const r = new Record($app.findCollectionByNameOrId(body.collection))
  for (const k of Object.keys(body.data)) r.set(k, body.data[k])
  try { $app.validate(r); return e.json(200, {error: ""}) }
  catch (err) { return e.json(200, {error: String(err).replace(/^GoError: /, "")}) }
})
"""

FIELDS = [
    {"name": "title", "type": "text", "required": True, "min": 3, "max": 10, "pattern": "^[a-z]+$"},
    {"name": "slug", "type": "text"},
    {"name": "n", "type": "number", "min": 1, "max": 10, "onlyInt": True},
    {"name": "x", "type": "number", "required": True},
    {"name": "f", "type": "number", "min": -2.5, "max": 1e6},
    {"name": "breq", "type": "bool", "required": True},
    {"name": "e", "type": "email", "onlyDomains": ["example.com"]},
    {"name": "e2", "type": "email", "exceptDomains": ["bad.com"]},
    {"name": "u", "type": "url"},
    {"name": "u2", "type": "url", "onlyDomains": ["example.com"]},
    {"name": "ed", "type": "editor", "maxSize": 20},
    {"name": "d", "type": "date", "min": "2020-01-01 00:00:00.000Z", "max": "2030-06-01 12:30:00.500Z"},
    {"name": "s", "type": "select", "values": ["a", "b", "c"], "maxSelect": 1},
    {"name": "ms", "type": "select", "values": ["a", "b", "c"], "maxSelect": 2},
    {"name": "rel", "type": "relation", "collectionId": "_pb_users_auth_", "maxSelect": 1},
    {"name": "rels", "type": "relation", "collectionId": "_pb_users_auth_", "maxSelect": 3, "minSelect": 2},
    {"name": "j", "type": "json", "maxSize": 20},
    {"name": "p", "type": "password", "min": 5, "max": 10, "pattern": "^[a-z0-9]+$"},
    {"name": "long", "type": "text"},
    {"name": "created", "type": "autodate", "onCreate": True},
]
OPTIONAL = [
    {"name": "jr", "type": "json", "required": True},
    {"name": "msr", "type": "select", "values": ["a", "b"], "maxSelect": 2, "required": True},
    {"name": "dr", "type": "date", "required": True},
    {"name": "er", "type": "email", "required": True},
    {"name": "ur", "type": "url", "required": True},
    {"name": "relr", "type": "relation", "collectionId": "_pb_users_auth_", "required": True},
]
OK = {"title": "abc", "x": 1, "breq": True}
USER = "@user1"  # replaced by a real users id

CASES = [
    ("empty", {}),
    ("title too short", dict(OK, title="ab")),
    ("title too long, x not a number", {"title": "abcdefghijkl", "x": "abc"}),
    ("title pattern, decimal in onlyInt", {"title": "ABC", "x": 1.5, "n": 1.5}),
    ("zero and false are blank", {"title": "abc", "x": 0, "breq": False}),
    ("x as string zero", dict(OK, x="0")),
    ("x as numeric string", dict(OK, x="1.5e0")),
    ("breq as 'yes'", dict(OK, breq="yes")),
    ("breq as 'true'", dict(OK, breq="true")),
    ("breq as 1", dict(OK, breq=1)),
    ("n zero is not checked", dict(OK, n=0)),
    ("n above max", dict(OK, n=11)),
    ("n at max", dict(OK, n=10)),
    ("n string", dict(OK, n="5")),
    ("n below min", dict(OK, n=0.5)),
    ("f below negative min", dict(OK, f=-3)),
    ("f above big max", dict(OK, f=2e6)),
    ("f fraction fine", dict(OK, f=-2.25)),
    ("email bad", dict(OK, e="foo")),
    ("email domains", dict(OK, e="a@other.com", e2="a@bad.com")),
    ("email domain case", dict(OK, e="a@EXAMPLE.com")),
    ("email subdomain", dict(OK, e="a@sub.example.com")),
    ("email ok", dict(OK, e="a.b+c@example.com", e2="x@good.org")),
    ("email no dot", dict(OK, e2="a@b")),
    ("email space", dict(OK, e2="a b@c.com")),
    ("email two ats", dict(OK, e2="a@b@c.com")),
    ("email empty", dict(OK, e="")),
    ("url bad", dict(OK, u="notaurl")),
    ("url no scheme", dict(OK, u="example.com")),
    ("url localhost", dict(OK, u="http://localhost")),
    ("url ftp", dict(OK, u="ftp://example.com/x")),
    ("url single label with scheme", dict(OK, u="http://notaurl")),
    ("url with space", dict(OK, u="http://exa mple.com")),
    ("url port path query", dict(OK, u="https://a.example.com:8080/p?q=1#f")),
    ("url domain not allowed", dict(OK, u2="http://other.com")),
    ("url subdomain not allowed", dict(OK, u2="https://sub.example.com")),
    ("url domain allowed", dict(OK, u2="https://example.com/x")),
    ("editor too big", dict(OK, ed="x" * 30)),
    ("editor multibyte bytes", dict(OK, ed="é" * 11)),
    ("date below min", dict(OK, d="2010-01-01")),
    ("date above max with millis", dict(OK, d="2031-01-01 00:00:00Z")),
    ("date garbage is empty", dict(OK, d="garbage")),
    ("date ok", dict(OK, d="2024-05-06T07:08:09Z")),
    ("select invalid and too many", dict(OK, s="z", ms=["a", "b", "c"])),
    ("single select keeps last", dict(OK, s=["a", "b"])),
    ("single select last invalid", dict(OK, s=["a", "q"])),
    ("multi invalid value", dict(OK, ms=["z"])),
    ("multi duplicates collapse", dict(OK, ms=["a", "a", "b", "b"])),
    ("multi as json text", dict(OK, ms='["a","b"]')),
    ("multi broken json text", dict(OK, ms='["a"')),
    ("relation missing, too few", dict(OK, rel="nonexistent12345", rels=["a"])),
    ("relations too many", dict(OK, rels=["a", "b", "c", "d"])),
    ("relation exists", dict(OK, rel=USER)),
    ("relations some missing", dict(OK, rels=[USER, "missing00000001"])),
    ("json too big", dict(OK, j={"a": "x" * 30})),
    ("json text kept", dict(OK, j="notjson{")),
    ("json exactly at size", dict(OK, j="x" * 18)),
    ("password too short", dict(OK, p="ab")),
    ("password pattern", dict(OK, p="ABCDEFG")),
    ("password too long", dict(OK, p="abcdefghijklmn")),
    ("password fine", dict(OK, p="abc123")),
    ("id too short", dict(OK, id="short")),
    ("id bad characters", dict(OK, id="ABCDEFGHIJKLMNO")),
    ("id too long", dict(OK, id="a" * 16)),
    ("text default max", dict(OK, long="y" * 5001)),
    ("text at default max", dict(OK, long="y" * 5000)),
    ("autodate is ignored", dict(OK, created="2024-01-01")),
    ("slug first", dict(OK, slug="dup")),
    ("slug duplicate", dict(OK, slug="dup")),
    ("slug duplicate with another error", dict(OK, slug="dup", title="A")),
    ("empty slug not indexed", dict(OK, slug="")),
    ("many errors at once", {"id": "short", "title": "AB", "n": 1.5, "ms": ["a", "z"], "e": "x", "u": "y",
                             "p": "a", "j": [1] * 20}),
]
OPTIONAL_CASES = [
    ("all required blank", {}),
    ("json null", {"jr": None}),
    ("json empty string", {"jr": ""}),
    ("json empty list", {"jr": []}),
    ("json empty object", {"jr": {}}),
    ("json zero", {"jr": 0}),
    ("json false", {"jr": False}),
    ("json 'null' text", {"jr": "null"}),
    ("json quoted empty", {"jr": '""'}),
    ("multi empty strings", {"jr": 1, "msr": ["", ""]}),
    ("all set", {"jr": 1, "msr": ["b"], "dr": "2024-01-01", "er": "a@b.co", "ur": "https://x.io", "relr": USER}),
    ("required relation missing", {"jr": 1, "msr": "a", "dr": "2024-01-01", "er": "a@b.co", "ur": "x.io",
                                   "relr": "nope"}),
]


@pytest.fixture(scope="module")
def oracle(tmp_path_factory):
    pb = PocketBase(str(tmp_path_factory.mktemp("pb")), hooks={"check.pb.js": HOOK})
    try:
        users = []
        for i in range(2):
            status, user = pb.call("POST", "/api/collections/users/records",
                                   {"email": f"u{i}@example.com", "password": "password123",
                                    "passwordConfirm": "password123"})
            assert status == 200, user
            users.append(user["id"])
        collections = {}
        for name, fields, indexes in (("v", FIELDS, ["CREATE UNIQUE INDEX idx_v_slug ON v (slug) WHERE slug != ''"]),
                                      ("w", OPTIONAL, [])):
            status, collection = pb.call("POST", "/api/collections", {"name": name, "fields": fields,
                                                                       "indexes": indexes})
            assert status == 200, collection
            collections[name] = collection
        yield pb, collections, users
    finally:
        pb.stop()


def _lookups(pb):
    def exists(collection_id, ids):
        found = set()
        for rid in ids:
            status, _ = pb.call("GET", f"/api/collections/{collection_id}/records/{urllib.parse.quote(rid)}")
            if status == 200:
                found.add(rid)
        return found

    def unique(index, columns, record_id):
        parts = [f"{name} = {_quote(value)}" for name, value in columns.items()]
        if record_id:
            parts.append(f"id != {_quote(record_id)}")
        if index["where"]:
            parts.append(f"({index['where']})")
        table = index["sql"].split(" ON ")[1].split("(")[0].strip().strip("`")
        query = urllib.parse.urlencode({"filter": " && ".join(parts), "perPage": 1})
        status, answer = pb.call("GET", f"/api/collections/{table}/records?{query}")
        assert status == 200, answer
        return answer["totalItems"] == 0

    return exists, unique


def _quote(value):
    if isinstance(value, (int, float)):
        return str(value)
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def _ours(collection, body, pb, with_unique):
    """Our (REST data, Go error text); `$app.validate` leaves unique indexes to the insert, so the text is
    compared without them and the REST answer (a real insert) with them."""
    exists, unique = _lookups(pb)
    record = Record(collection, body)
    try:
        record.save_values(exists=exists, unique=unique if with_unique else None)
    except ValidationError as error:
        return error.data(), str(error)
    return {}, ""


def _run(oracle, name, body, collection_name):
    pb, collections, users = oracle
    body = {k: (users[0] if v == USER else [users[0] if x == USER else x for x in v] if isinstance(v, list) else v)
            for k, v in body.items()}
    _, expected_text = _ours(collections[collection_name], body, pb, False)
    expected_data, _ = _ours(collections[collection_name], body, pb, True)
    status, answer = pb.call("POST", "/check", {"collection": collection_name, "data": body})
    assert status == 200, answer
    assert expected_text == answer["error"], name
    status, answer = pb.call("POST", f"/api/collections/{collection_name}/records", body)
    assert (status == 200) == (not expected_data), (name, answer)
    assert expected_data == ({} if status == 200 else answer["data"]), name


@pytest.mark.parametrize("name,body", CASES, ids=[c[0] for c in CASES])
def test_validation_matches_pocketbase(oracle, name, body):
    _run(oracle, name, body, "v")


@pytest.mark.parametrize("name,body", OPTIONAL_CASES, ids=[c[0] for c in OPTIONAL_CASES])
def test_required_values_match_pocketbase(oracle, name, body):
    _run(oracle, name, body, "w")
