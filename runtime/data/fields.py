"""PocketBase 0.40's field values: what `record.set` makes of a value, how it sits in SQLite, and the typed getters.

The rules follow what the real binary does (observed through its JSVM, see tests/data/test_fields_oracle.py),
including its loose Go-style casts: `set('bool', 'yes')` is false, a number field takes `"1e3"` as 1000 and
`"abc"` as 0, a single select given a list keeps the last item, a date that does not parse is silently empty, a
json field keeps a string that is valid JSON as raw JSON and encodes any other string. A field is a plain dict
as stored in `_collections.fields`.
"""
from __future__ import annotations

import json
import math

from runtime.data.gocast import (DateTime, JSONRaw, go_float_text, go_json, json_number, parse_datetime,
                                parse_go_float, parse_go_int)

MULTI_TYPES = ("select", "relation", "file")
_TRUE = ("1", "t", "T", "TRUE", "true", "True")


class PasswordValue:
    """A password field's value: the bcrypt hash as stored, and the plain text while it was just set.
    `get()` answers the plain text of this save only ("" once loaded), as the binary does."""

    __slots__ = ("hash", "plain")

    def __init__(self, hash: str = "", plain: str = ""):
        self.hash = hash
        self.plain = plain

    def __eq__(self, other):
        return isinstance(other, PasswordValue) and (self.hash, self.plain) == (other.hash, other.plain)


# ---- Go-style casts (the binary's loose conversions) -------------------------------------------------------

def to_string(value) -> str:
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return go_float_text(value)
    if isinstance(value, JSONRaw):
        return str(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, PasswordValue):
        return value.plain
    return ""


def to_float(value) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and not isinstance(value, DateTime):
        parsed = parse_go_float(value)
        return parsed if parsed is not None else 0.0
    return 0.0


def to_int(value) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        # Go's float→int64 on amd64: out of range (or NaN/Inf) is the smallest int64
        return int(value) if math.isfinite(value) and -2.0**63 <= value < 2.0**63 else -2**63
    if isinstance(value, str) and not isinstance(value, DateTime):
        parsed = parse_go_int(value)
        return parsed if parsed is not None else 0
    return 0


def to_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value != 0
    if isinstance(value, str) and not isinstance(value, DateTime):
        return value in _TRUE
    return False


def unique_strings(value) -> list:
    """list.ToUniqueStringSlice: a list, a JSON array in a string, or one value, as distinct strings.

    A string that starts like a JSON array but is not an array of strings keeps the strings read before the
    problem and then itself (`'["a"'` → `["a", '["a"']`), as the binary does."""
    if value.__class__ is str and value[:1].isalnum():  # one id (a relation's usual value): neither space nor [
        return [value]
    if value is None or isinstance(value, (DateTime, JSONRaw)):
        return []
    if isinstance(value, (list, tuple)):
        items = [to_string(v) for v in value]
    elif isinstance(value, str):
        items = _string_items(value)
    elif isinstance(value, (bool, int, float)):
        items = [to_string(value)]
    else:
        return []
    return list(dict.fromkeys(items))


def _string_items(text: str) -> list:
    stripped = text.strip()
    if not stripped:
        return []
    if not stripped.startswith("["):
        return [text]
    try:
        parsed = json.loads(stripped)
    except ValueError:
        parsed = None
    if isinstance(parsed, list) and all(isinstance(v, str) for v in parsed):
        return parsed
    return _partial_strings(stripped) + [text]


def _partial_strings(text: str) -> list:
    found, pos, decoder = [], 1, json.JSONDecoder()
    while True:
        while pos < len(text) and text[pos] in " \t\r\n,":
            pos += 1
        try:
            item, pos = decoder.raw_decode(text, pos)
        except ValueError:
            return found
        if not isinstance(item, str):
            return found
        found.append(item)


def _valid_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def to_json_raw(value) -> JSONRaw:
    if value is None:
        return JSONRaw(b"")
    if isinstance(value, JSONRaw):
        return value
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, str) and value and not value[0].isspace() and _valid_json(value):
        return JSONRaw(value.encode("utf-8"))
    return JSONRaw(go_json(value).encode("utf-8"))


# ---- per field type ----------------------------------------------------------------------------------------

def is_multiple(field: dict) -> bool:
    return field.get("type") in MULTI_TYPES and (field.get("maxSelect") or 0) > 1


def zero_value(field: dict):
    kind = field.get("type")
    if kind == "number":
        return 0.0
    if kind == "bool":
        return False
    if kind in ("date", "autodate"):
        return DateTime("")
    if kind == "json":
        return JSONRaw(b"")
    if kind == "password":
        return PasswordValue()
    if kind == "geoPoint":
        return {"lon": 0, "lat": 0}
    if kind in MULTI_TYPES and is_multiple(field):
        return []
    return ""


def normalize(field: dict, value):
    """The value `record.set(name, value)` stores for this field."""
    kind = field.get("type")
    if kind == "number":
        return to_float(value)
    if kind == "bool":
        return to_bool(value)
    if kind in ("date", "autodate"):
        return parse_datetime(value)
    if kind == "json":
        return to_json_raw(value)
    if kind == "password":
        if isinstance(value, PasswordValue):
            return value
        return PasswordValue("", to_string(value))
    if kind == "geoPoint":
        return value if isinstance(value, dict) else {"lon": 0, "lat": 0}
    if kind in MULTI_TYPES:
        if is_multiple(field):
            return [v for v in unique_strings(value) if v != ""]
        if isinstance(value, (list, tuple)):
            return to_string(value[-1]) if value else ""
    return to_string(value)


def to_column(field: dict, value):
    """The SQLite column value PocketBase writes for this field's value."""
    kind = field.get("type")
    if kind == "bool":
        return 1 if value else 0
    if kind == "number":
        return json_number(value)
    if kind == "json":
        return str(value) if value else None
    if kind == "password":
        return value.hash
    if kind == "geoPoint" or isinstance(value, list):
        return go_json(value)
    return to_string(value)


def from_column(field: dict, raw):
    """A field's value read back from its SQLite column."""
    kind = field.get("type")
    if kind == "json":
        return JSONRaw(b"") if raw is None else JSONRaw(raw.encode("utf-8") if isinstance(raw, str) else raw)
    if kind == "password":
        return PasswordValue(to_string(raw), "")
    if kind == "geoPoint":
        try:
            return json.loads(raw) if isinstance(raw, str) else {"lon": 0, "lat": 0}
        except ValueError:
            return {"lon": 0, "lat": 0}
    return normalize(field, raw)


_TEXT_KINDS = ("text", "email", "url", "editor")


def column_reader(field: dict):
    """`from_column` of this field as a function of the raw value alone, made once per query: a text column's
    str and a number column's int or float (what SQLite gives back almost always) skip the general casts, which
    would answer the same value; anything else goes through from_column."""
    kind = field.get("type")
    if kind == "number":
        return lambda raw: float(raw) if raw.__class__ is float or raw.__class__ is int else from_column(field, raw)
    if kind in _TEXT_KINDS or (kind in MULTI_TYPES and not is_multiple(field)):
        return lambda raw: raw if raw.__class__ is str else from_column(field, raw)
    return lambda raw: from_column(field, raw)


def export(field: dict, value):
    """The value as the record's JSON shows it."""
    kind = field.get("type")
    if kind == "number":
        return json_number(value)
    if kind == "json":
        return json.loads(bytes(value)) if value else None
    if kind == "password":
        return value.plain
    if isinstance(value, (DateTime, str)):
        return str.__str__(value)
    return value


def get_value(field: dict, value):
    """`record.get(name)`: a password answers its plain text (this save only), a json field its raw bytes."""
    return value.plain if isinstance(value, PasswordValue) else value


def get_datetime(value) -> DateTime:
    if isinstance(value, float) or isinstance(value, bool):
        return DateTime("")
    return parse_datetime(value)


def get_string_slice(value) -> list:
    return unique_strings(value.plain if isinstance(value, PasswordValue) else value)
