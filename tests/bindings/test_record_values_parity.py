"""Differential test: a record's getters and public export as Python answers them (runtime/data/fields.py,
gocast.py, records.py: writes, validation, ctx.app) and as JavaScript answers them from the values that cross
(bindings/record_wire.py -> bindings/record_values.js), over a generated corpus of field types x values.
Both halves must agree on every getter of every field, custom values included, and on the export."""
import itertools
import json
import math

import pytest

from bindings.record_wire import WireState
from runtime.data import fields as F
from runtime.data.records import Record
from tests.bindings.record_tables import Tables

FIELDS = [
    {"name": "id", "type": "text"},
    {"name": "text", "type": "text"}, {"name": "num", "type": "number"}, {"name": "flag", "type": "bool"},
    {"name": "mail", "type": "email"}, {"name": "site", "type": "url"}, {"name": "html", "type": "editor"},
    {"name": "day", "type": "date"}, {"name": "pick", "type": "select", "maxSelect": 1},
    {"name": "picks", "type": "select", "maxSelect": 5}, {"name": "rel", "type": "relation", "maxSelect": 1},
    {"name": "rels", "type": "relation", "maxSelect": 9}, {"name": "doc", "type": "file", "maxSelect": 1},
    {"name": "docs", "type": "file", "maxSelect": 3}, {"name": "data", "type": "json"},
    {"name": "secret", "type": "password", "cost": 4}, {"name": "where", "type": "geoPoint"},
    {"name": "quiet", "type": "text", "hidden": True}, {"name": "made", "type": "autodate"},
]
COLLECTION = {"id": "pbc_parity", "name": "parity", "type": "base", "fields": FIELDS}

DATES = ["2024-01-02", "2024-01-02 03:04:05", "2024-01-02T03:04:05Z", "2024-01-02 03:04:05.123456Z",
         "2024-01-02 03:04:05.1Z", "2024-01-02 03:04:05+02:00", "2024-01-02 03:04:05-0130",
         "2024-01-02 03:04:05 +0200 CEST", "2024-01-02 03:04:05 UTC", "2024-02-29 23:59:59", "2023-02-29",
         "2024-13-01", "2024-01-02 24:00:00", "0999-12-31 23:59:59Z", "9999-12-31 23:59:59.999Z",
         "2024-01-02 03:04", "2024-01-02\n", "20240102"]
STRINGS = [" 12 ", "12", "-7", "+7", "1e3", "1E-3", "0x10", "0X1f", "0b101", "0o17", "017", "08", "1_000", "1__0",
           "1.9", "-1.9", ".5", "5.", "1.5.", "1.e5", "true", "True", "TRUE", "tRue", "t", "T", "1", "0", "yes",
           "false", "", " ", "\t", "abc", "ünïcødé", "日本語", "😀 emoji", "NaN", "nan", "-nan", "inf", "+Inf",
           "-Infinity", "+-inf", "1e400", "-1e400", "9223372036854775807", "9223372036854775808",
           "-9223372036854775808", "-9223372036854775809", "9007199254740993", "18446744073709551616",
           "0x1p4", "0x1.8p1", "-0x1P-2", "0x.p1", "0x1p2000", "1e16", "-0", "0.0", "12\n", "٣", "１２",
           '["a","b","a"]', '["a", 1]', '["a"', ' ["x"] ', "[]", "[1,2]", '["a", "b"', '[ "a" , "\\u00e9", ]',
           '["\\x"]', '{"a":1}', '{"a": [1, {"b": null}]}', "null", '"quoted"', "a,b", "\u00a0 7 \u00a0",
           "\x1c7", "\ufeff7", "\u3000[\"w\"]", "1.7976931348623157e308", "5e-324", "123456789.125"] + DATES
NUMBERS = [0, -0.0, 1, -1, 1.5, -2.5, 12.0, 0.1, 1e16, 2 ** 53 + 1, 2 ** 63, 2 ** 64, 1e19, 1e20, 1e21, 1.5e300,
           1e-7, 5e-324, 123456789.125, 1700000000, -62135596800, -62135596801, 253402300799, 253402300800,
           float("nan"), float("inf"), float("-inf")]
OTHERS = [True, False, None, [], ["a", "b", "a"], [1, "a", True, None, 1.5, 2 ** 60, 1e21, ["x"], {"a": 1}, ""],
          ["2024-01-02", "2024-01-02"], {}, {"a": [1, 2], "b": {"c": None, "d": "é"}, "n": 10 ** 20},
          {"lon": 1.5, "lat": -2}, [[[["deep"]]]]]
CORPUS = STRINGS + NUMBERS + OTHERS


def _as_sent_by_js(interp, value):
    """The value as a page's `record.set(name, value)` brings it to Python: through JavaScript's JSON (-0 and
    12.0 arrive as the int 0 and 12, 2**53 + 1 as 2**53), or None when JSON cannot carry it (NaN)."""
    try:
        text = json.dumps(value, allow_nan=False)
    except ValueError:
        return None
    return (interp.eval_script("[" + text + "]") or [None])[0]


def _crossed(value):
    """A value as JSON brings it to JavaScript: bytes as a byte array, NaN/Inf as null, integers beyond 2**53
    (and every float) as doubles."""
    if isinstance(value, bytes):
        return list(value)
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return str.__str__(value) if isinstance(value, str) else value
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, list):
        return [_crossed(v) for v in value]
    if isinstance(value, dict):
        return {k: _crossed(v) for k, v in value.items()}
    raise TypeError(type(value))


def _python(record: Record, names) -> dict:
    out = {}
    for name in names:
        out[name] = _crossed([record.get(name), record.get_string(name), record.get_int(name),
                              record.get_float(name), record.get_bool(name), str(record.get_datetime(name)),
                              record.get_string_slice(name)])
    return out


def _records(interp):
    """Each value set on every field (and as a custom value), unsaved and as read back from its columns."""
    for value in CORPUS:
        record = Record(COLLECTION)
        for field in FIELDS:
            try:
                record.set(field["name"], value)
            except (IndexError, ValueError, OverflowError):  # a write Python refuses (NaN into a json field)
                pass
        sent = _as_sent_by_js(interp, value)
        if sent is not None:
            record.set("custom", sent)
        record.set_raw("made", F.parse_datetime(value) if isinstance(value, str) else F.DateTime(""))
        yield value, record
        stored = Record.from_row(COLLECTION, record.column_values())
        yield value, stored


@pytest.fixture(scope="module")
def pairs():
    decoder = Tables()
    records = list(_records(decoder.interp))
    handles = {id(r): i + 1 for i, (_, r) in enumerate(records)}
    reply = WireState().pack(lambda r: handles[id(r)], [r for _, r in records])
    tables = decoder.decode(json.loads(json.dumps(reply, allow_nan=False)))["m"]
    return [(value, record, tables[str(handles[id(record)])]) for value, record in records]


def test_every_getter_of_every_field_answers_alike(pairs):
    getters = ["get", "getString", "getInt", "getFloat", "getBool", "getDateTime", "getStringSlice"]
    wrong = []
    for value, record, table in pairs:
        names = [f["name"] for f in FIELDS] + list(record.custom) + ["nothere"]
        python = _python(record, names)
        js = {name: table["f"].get(name, [None, "", 0, 0, False, "", []]) for name in names}
        for name, which in itertools.product(names, range(7)):
            if _crossed(js[name][which]) != python[name][which]:
                wrong.append(f"{value!r} {name}.{getters[which]}: python {python[name][which]!r} "
                             f"js {js[name][which]!r}")
    assert not wrong, "\n".join(wrong[:40]) + f"\n({len(wrong)} differences)"


def test_the_public_export_and_the_id_answer_alike(pairs):
    wrong = []
    for value, record, table in pairs:
        python = {k: (None if isinstance(v, float) and not math.isfinite(v) else v)
                  for k, v in record.public_export().items()}
        python = _crossed(json.loads(json.dumps(python)))
        if _crossed(json.loads(table["e"])) != python or table["id"] != record.id or table["n"] != record.is_new:
            wrong.append(f"{value!r}: python {python!r}\n    js {table['e']}")
    assert not wrong, "\n".join(wrong[:20]) + f"\n({len(wrong)} differences)"


@pytest.mark.parametrize("visible", [True, False])
def test_an_auth_records_email_shows_only_with_email_visibility(visible):
    users = {"id": "_pb_users_auth_", "name": "users", "type": "auth", "fields": [
        {"name": "id", "type": "text"}, {"name": "email", "type": "email"},
        {"name": "emailVisibility", "type": "bool"}, {"name": "password", "type": "password", "hidden": True,
                                                      "cost": 4}]}
    record = Record(users, {"id": "u1", "email": "a@b.co", "emailVisibility": visible, "password": "pw123456"})
    reply = WireState().pack(lambda r: 1, [record])
    table = Tables().decode(reply)["t"]
    assert json.loads(table["e"]) == record.public_export()
    assert ("email" in json.loads(table["e"])) is visible and "password" not in table["e"]
    assert table["f"]["password"][1] == "pw123456"  # a password's getString: its plain text until saved
