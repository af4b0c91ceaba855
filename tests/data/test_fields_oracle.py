"""runtime.data.fields against the real PocketBase's JSVM: `new Record(collection)`, `record.set(field, value)`, then
`get` (as JSON.stringify prints it: a json field's raw bytes are a byte array) and every typed getter, and the
record's JSON, must equal what our Record answers for the same value."""
import json

import pytest

from runtime.data.fields import JSONRaw
from runtime.data.records import Record
from tests.helpers import PocketBase

HOOK = """
routerAdd("POST", "/coerce", (e) => {
  const body = e.requestInfo().body
  const col = $app.findCollectionByNameOrId(body.collection)
  const out = []
  for (const c of body.cases) {
    const r = new Record(col)
    r.set(c[0], c[1])
    out.push({
      get: JSON.stringify(r.get(c[0])), getString: r.getString(c[0]), getInt: r.getInt(c[0]),
      getFloat: r.getFloat(c[0]), getBool: r.getBool(c[0]), getDateTime: r.getDateTime(c[0]).string(),
      getStringSlice: r.getStringSlice(c[0]), json: JSON.parse(JSON.stringify(r))[c[0]],
    })
  }
  return e.json(200, {out: out})
})
"""

FIELDS = [
    {"name": "t", "type": "text"}, {"name": "n", "type": "number"}, {"name": "b", "type": "bool"},
    {"name": "d", "type": "date"}, {"name": "s", "type": "select", "values": ["a", "b"], "maxSelect": 1},
    {"name": "ms", "type": "select", "values": ["a", "b"], "maxSelect": 2},
    {"name": "rel", "type": "relation", "collectionId": "_pb_users_auth_", "maxSelect": 1},
    {"name": "rels", "type": "relation", "collectionId": "_pb_users_auth_", "maxSelect": 5},
    {"name": "j", "type": "json"}, {"name": "e", "type": "email"}, {"name": "u", "type": "url"},
    {"name": "ed", "type": "editor"}, {"name": "created", "type": "autodate", "onCreate": True},
]

TEXTS = ["hello", 123, 1.5, True, None, ["a", "b"], {"a": 1}, "1.9", "-1.9", "0x10", "010", "1e3", " 5", "5 ", "1_000",
         "+3", "-0", "t", "yes", "1", "2", "2024-01-02", "2024-01-02 03:04:05.123Z", "2024-01-02T03:04:05Z",
         "1700000000", "abc, def", '["a"]', "", "99999999999999999999", "0b11", "0o7", ".5", "5.", 1e21, 1e20,
         123456789.123, -0.0, 0.1 + 0.2, 100.0]
NUMBERS = ["12", "1.5", "abc", True, None, 7, 2.75, " 3 ", "1e3", [1], "0x10", "010", "+3", ".5", "5.", "1_000",
           "-0", "0x1p-2", 1e21, 0.1]
BOOLS = ["yes", "true", "1", 1, 0, "false", "TRUE", "t", None, 2, "on", []]
DATES = ["2024-01-02", "2024-01-02 03:04:05", "2024-01-02T03:04:05Z", "2024-01-02T03:04:05.123456+02:00", "garbage",
         "", 1700000000, None, "2024-1-2", "2024-01-02 03:04", "2024-01-02T03:04:05.123",
         "2024-01-02 03:04:05.123456789Z", "20240102", "0", 0, 1.5, "1700000000"]
MULTI = ["a", ["a", "b"], ["a", "a"], "", None, ["", ""], "a,b", '["a","b"]', ["b", "a"], [1, 2], "[1,2]", '["a"',
         ["a", "z"], '["a","b"', '["a"]x', '["a", 1]', "[", "[]", 'x["a"]', ' ["a"]']
JSONS = [{"a": 1}, [1, 2], "str", '{"a":1}', 1, None, True, "", '  {"a": 1} ', "[1,", "null", 1.5, "1.50", " 1", "1 ",
         '{"a": 1}', '"x"', "[]", " []", "\n[]", {"b": 1, "a": "<x>&"}, [1.0, 2.5, 1e21, 1e20], {"u": "é"}]
CASES = ([("t", v) for v in TEXTS] + [("n", v) for v in NUMBERS] + [("b", v) for v in BOOLS]
         + [("d", v) for v in DATES] + [("s", v) for v in ["a", ["a", "b"], "", None, 5, []]]
         + [("ms", v) for v in MULTI] + [("rel", v) for v in ["abc", ["x", "y"]]]
         + [("rels", v) for v in ["abc", ["x", "y", "x"]]] + [("j", v) for v in JSONS]
         + [("e", "A@B.com"), ("u", "http://x"), ("ed", "<p>x</p>"), ("created", "2024-01-01")])


@pytest.fixture(scope="module")
def answers(tmp_path_factory):
    pb = PocketBase(str(tmp_path_factory.mktemp("pb")), hooks={"coerce.pb.js": HOOK})
    try:
        status, collection = pb.call("POST", "/api/collections", {"name": "c", "fields": FIELDS})
        assert status == 200, collection
        status, answer = pb.call("POST", "/coerce", {"collection": "c", "cases": [list(c) for c in CASES]})
        assert status == 200, answer
        yield collection, answer["out"]
    finally:
        pb.stop()


def _plain(value):
    if isinstance(value, JSONRaw):
        return list(value)
    if isinstance(value, str):
        return str.__str__(value)
    return value


@pytest.mark.parametrize("index", range(len(CASES)), ids=[f"{f}={json.dumps(v)}" for f, v in CASES])
def test_set_and_getters_match_the_jsvm(answers, index):
    collection, out = answers
    name, value = CASES[index]
    theirs = dict(out[index])
    theirs["get"] = json.loads(theirs["get"])
    record = Record(collection)
    record.set(name, value)
    ours = {"get": _plain(record.get(name)), "getString": record.get_string(name), "getInt": record.get_int(name),
            "getFloat": record.get_float(name), "getBool": record.get_bool(name),
            "getDateTime": str(record.get_datetime(name)), "getStringSlice": record.get_string_slice(name),
            "json": record.to_json()[name]}
    # numbers cross into JavaScript as float64: compare getInt as the JSVM sees it
    ours["getInt"], theirs["getInt"] = float(ours["getInt"]), float(theirs["getInt"])
    assert ours == theirs
