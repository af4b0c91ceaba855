"""Go's loose conversions as PocketBase's record values use them (strconv, fmt %v, encoding/json, its dates).

Kept apart from fields.py so the per-type rules read on their own; every function here answers what the Go side
prints or parses for the same input, checked against the real binary by tests/data/test_fields_oracle.py.
"""
from __future__ import annotations

import json
import math
import re
from datetime import datetime, timedelta, timezone
from decimal import Decimal

DATE_LAYOUT = "%Y-%m-%d %H:%M:%S"
# ASCII digits only and `\Z` (not `$`, which also matches before a final newline): Go's parsers take neither
# other scripts' digits nor a trailing "\n". bindings/record_values.js writes the same patterns for reads.
_GO_FLOAT = re.compile(r"[+-]?(?:(?:\d(?:_?\d)*)?\.?\d(?:_?\d)*\.?(?:[eE][+-]?\d(?:_?\d)*)?|\d(?:_?\d)*\.)\Z", re.A)
_GO_HEX_FLOAT = re.compile(r"[+-]?0[xX][0-9a-fA-F_]*\.?[0-9a-fA-F_]*[pP][+-]?\d+\Z", re.A)
_GO_INT = re.compile(r"([+-]?)(0[xX][0-9a-fA-F](?:_?[0-9a-fA-F])*|0[bB][01](?:_?[01])*|0[oO]?[0-7](?:_?[0-7])*"
                     r"|[1-9](?:_?\d)*|0)\Z", re.A)
_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?"
                      r"(Z|[+-]\d{2}:?\d{2}| [+-]\d{4}(?: [A-Z]{3,4})?| UTC)?)?\Z", re.A)


class DateTime(str):
    """A date value: its text in PocketBase's `2006-01-02 15:04:05.000Z` form, or "" (a zero date).

    It is a str so getString and JSON export just work; the type keeps getStringSlice (which yields nothing for a
    date in PocketBase) apart from a text field holding the same characters."""


class JSONRaw(bytes):
    """A json field's value: its raw JSON bytes (empty for null). `record.get()` of a json field is these bytes in
    PocketBase's JSVM (a byte array in `JSON.stringify`)."""

    def __str__(self) -> str:
        return self.decode("utf-8") if self else "null"


def go_float_text(value: float) -> str:
    """strconv.FormatFloat(v, 'f', -1, 64): shortest digits, never an exponent."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    text = format(Decimal(repr(value)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def go_number_text(value) -> str:
    """fmt's %v of a float64 (as messages print numbers): shortest digits, an exponent (`1e+06`) from the
    seventh integer digit or below 1e-4."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        value = float(value)
    if value == 0 or not math.isfinite(value):
        return go_float_text(value)
    sign, digits, exponent = Decimal(repr(value)).normalize().as_tuple()
    text = "".join(map(str, digits))
    exp10 = len(text) + exponent - 1
    if -4 <= exp10 < 6:
        return go_float_text(value)
    mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
    return f"{'-' if sign else ''}{mantissa}e{'-' if exp10 < 0 else '+'}{abs(exp10):02d}"


def json_number(value):
    """A float as Go's encoder writes it: integral values without a fraction (1 not 1.0)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return int(value)
    return value


def parse_go_float(text: str):
    """strconv.ParseFloat as cast uses it, or None (no spaces; `_` between digits, hex with a p exponent).
    What the patterns let through but is no number (`1.5.`, `0x.p1`, a hex value too large) is None too."""
    try:
        if _GO_FLOAT.match(text):
            return float(text.replace("_", ""))
        if _GO_HEX_FLOAT.match(text):
            return float.fromhex(text.replace("_", ""))
    except (ValueError, OverflowError):
        return None
    low = text.lower()
    if low.lstrip("+-") in ("inf", "infinity", "nan") and len(low) - len(low.lstrip("+-")) <= 1:
        return float(low)
    return None


def parse_go_int(text: str):
    """strconv.ParseInt(s, 0, 64) after cast drops a decimal part ("1.9" → 1), or None."""
    head = text.split(".", 1)[0]
    match = _GO_INT.match(head)
    if not match:
        return None
    digits = match.group(2).replace("_", "")
    if len(digits) > 1 and digits[0] == "0" and digits[1] not in "xXbBoO":
        digits = "0o" + digits[1:]
    number = int(match.group(1) + digits, 0)
    return number if -2**63 <= number < 2**63 else None


def parse_datetime(value) -> DateTime:
    """types.ParseDateTime: PocketBase's layout, RFC 3339 and the other ISO forms cast knows, Unix seconds
    for an integer; anything else is the zero date ""."""
    if isinstance(value, DateTime):
        return value
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        return format_datetime(moment)
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            return format_datetime(datetime.fromtimestamp(value, timezone.utc))
        except (OverflowError, OSError, ValueError):
            return DateTime("")
    if not isinstance(value, str):
        return DateTime("")
    match = _DATE_RE.match(value)
    if not match:
        return DateTime("")
    year, month, day, hour, minute, sec, frac, zone = match.groups()
    try:
        micro = int((frac or "0")[:6].ljust(6, "0"))
        moment = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(sec or 0),
                          micro, timezone.utc)
    except ValueError:
        return DateTime("")
    zone = (zone or "").strip().split(" ")[0]
    if zone and zone not in ("Z", "UTC"):
        digits = zone.replace(":", "")
        offset = (int(digits[1:3]) * 60 + int(digits[3:5])) * (1 if digits[0] == "+" else -1)
        moment -= timedelta(minutes=offset)
    return format_datetime(moment)


def format_datetime(moment: datetime) -> DateTime:
    moment = moment.astimezone(timezone.utc)
    return DateTime(moment.strftime(DATE_LAYOUT) + ".%03dZ" % (moment.microsecond // 1000))


def go_json(value) -> str:
    """json.Marshal as the json field uses it: compact, map keys sorted, no HTML escaping, Go's numbers."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        value = json_number(value)
        if isinstance(value, int):
            return str(value)
        if 1e-6 <= abs(value) < 1e21:
            return go_float_text(value)
        mantissa, _, exp = repr(value).partition("e")
        return f"{mantissa}e{exp[0]}{exp[1:].lstrip('0')}"
    if isinstance(value, str):
        return _go_json_string(value)
    if isinstance(value, dict):
        return "{" + ",".join(_go_json_string(str(k)) + ":" + go_json(value[k]) for k in sorted(value, key=str)) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(go_json(v) for v in value) + "]"
    if isinstance(value, JSONRaw):
        return str(value)
    return _go_json_string(str(value))


_SHORT_ESCAPE = re.compile(r"(\\\\)|\\([bf])")


def _go_json_string(text: str) -> str:
    encoded = json.dumps(text, ensure_ascii=False).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return _SHORT_ESCAPE.sub(lambda m: m.group(1) or ("\\u0008" if m.group(2) == "b" else "\\u000c"), encoded)


