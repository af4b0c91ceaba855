"""PocketBase 0.40's record validation on save, with its ValidationError shape, codes and messages.

A field's errors stop at its first failing rule; all fields are checked, and unique indexes only once every field
passed (as the binary does). Messages are kept raw, as Go's error text carries them: `str(error)` joins them as
`name: message` with `; ` in name order plus a final `.` (so `id: Must be at least 15 character(s)..`), and
`data()` is the REST answer's `data`, each message with a capital and a final period.
Lookups that need the database are callables the caller passes: `exists(collection_id, ids) -> set of found ids`
and `unique(index, column_values, record_id) -> bool`.
"""
from __future__ import annotations

import re
import urllib.parse
from datetime import datetime, timezone

from runtime.data.fields import PasswordValue, is_multiple, to_column
from runtime.data.gocast import DATE_LAYOUT, go_number_text

TEXT_DEFAULT_MAX = 5000
JSON_DEFAULT_MAX = 1 << 20
EDITOR_DEFAULT_MAX = 5 << 20
_BLANK_JSON = (b"", b"null", b'""', b"[]", b"{}")
# The local part takes non-ASCII letters and marks too (RFC 6532): the binary saves `josé@` and `jose\u0301@`.
_EMAIL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\uffff-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\uffff-]+)*"
                    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$")
_LABEL = r"[A-Za-z0-9\u00a1-\uffff](?:[A-Za-z0-9\u00a1-\uffff_-]*[A-Za-z0-9\u00a1-\uffff])?"
_HOST = re.compile(rf"(?:{_LABEL}(?:\.{_LABEL})*|\[[0-9A-Fa-f:.]+\])\.?$")
_URL_SCHEMES = ("http", "https", "ftp", "tcp", "udp", "ws", "wss")
_INDEX = re.compile(r"CREATE\s+UNIQUE\s+INDEX\s+(?:IF\s+NOT\s+EXISTS\s+)?[`\"]?(\w+)[`\"]?\s+ON\s+[`\"]?\w+[`\"]?"
                    r"\s*\(([^)]*)\)\s*(?:WHERE\s+(.*))?$", re.I | re.S)


class ValidationError(Exception):
    """Field name → {"code", "message"(raw), "params"?}; `str()` is Go's error text, `data()` the REST shape."""

    def __init__(self, errors: dict):
        super().__init__()
        self.errors = errors

    def __str__(self) -> str:
        return "; ".join(f"{name}: {self.errors[name]['message']}" for name in sorted(self.errors)) + "."

    def data(self) -> dict:
        out = {}
        for name, item in self.errors.items():
            shown = {"code": item["code"], "message": item.get("rest_message") or sentenize(item["message"])}
            if "params" in item:
                shown["params"] = item["params"]
            out[name] = shown
        return out


def sentenize(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def _err(code: str, message: str, **params) -> dict:
    item = {"code": code, "message": message}
    if params:
        item["params"] = params
    return item


REQUIRED = _err("validation_required", "cannot be blank")
PK_CHANGE = _err("validation_pk_change", "The record primary key cannot be changed.")


def _go_time(moment: str) -> tuple[str, str]:
    """A date as Go prints a time.Time in a message (`2020-01-01 00:00:00 +0000 UTC`) and in JSON."""
    parsed = datetime.strptime(moment[:19], DATE_LAYOUT).replace(tzinfo=timezone.utc)
    millis = int(moment[20:23] or 0) if len(moment) > 20 else 0
    frac = (".%03d" % millis).rstrip("0").rstrip(".") if millis else ""
    base = parsed.strftime(DATE_LAYOUT)
    return f"{base}{frac} +0000 UTC", parsed.strftime("%Y-%m-%dT%H:%M:%S") + frac + "Z"


def check_text(field: dict, value: str):
    if value == "":
        return REQUIRED if field.get("required") else None
    size = len(value)
    low, high = field.get("min") or 0, field.get("max") or TEXT_DEFAULT_MAX
    if low and size < low:
        return _err("validation_min_text_constraint", f"Must be at least {low} character(s).", min=low)
    if size > high:
        return _err("validation_max_text_constraint", f"Must be no more than {high} character(s).", max=high)
    pattern = field.get("pattern")
    if pattern and not re.search(pattern, value):
        return _err("validation_invalid_format", "Invalid value format.")
    return None


def check_number(field: dict, value: float):
    if value == 0:
        return REQUIRED if field.get("required") else None
    if field.get("onlyInt") and not float(value).is_integer():
        return _err("validation_only_int_constraint", "Decimal numbers are not allowed")
    low, high = field.get("min"), field.get("max")
    if low is not None and value < low:
        return _err("validation_min_number_constraint", f"Must be greater or equal than {go_number_text(low)}", min=low)
    if high is not None and value > high:
        return _err("validation_max_number_constraint", f"Must be less or equal than {go_number_text(high)}", max=high)
    return None


def _domain_error(field: dict, domain: str, kind: str):
    only, except_ = field.get("onlyDomains") or [], field.get("exceptDomains") or []
    if (only and domain not in only) or (except_ and domain in except_):
        return _err(f"validation_{kind.lower()}_domain_not_allowed", f"{kind} domain is not allowed")
    return None


def check_email(field: dict, value: str):
    if value == "":
        return REQUIRED if field.get("required") else None
    if not _EMAIL.match(value) or len(value) > 254:
        return _err("validation_is_email", "must be a valid email address")
    return _domain_error(field, value.rsplit("@", 1)[1], "Email")


def url_host(value: str):
    """The host of a URL as is.URL accepts it, or None when it is not a URL."""
    if len(value) <= 3 or len(value) >= 2083 or value.startswith(".") or any(c.isspace() for c in value):
        return None
    if "://" not in value and ":" not in value and "." not in re.split(r"[?#]", value)[0]:
        return None
    text = value if "://" in value else "http://" + value
    try:
        parts = urllib.parse.urlsplit(text)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in _URL_SCHEMES or (port is not None and port > 65535):
        return None
    host = parts.netloc.rsplit("@", 1)[-1]
    host = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    if not host or host.startswith(".") or not _HOST.match(host):
        return None
    return parts.hostname or host


def check_url(field: dict, value: str):
    if value == "":
        return REQUIRED if field.get("required") else None
    host = url_host(value)
    if host is None:
        return _err("validation_invalid_url", "Must be a valid url")
    return _domain_error(field, host, "Url")


def check_editor(field: dict, value: str):
    if value == "":
        return REQUIRED if field.get("required") else None
    limit = field.get("maxSize") or EDITOR_DEFAULT_MAX
    if len(value.encode("utf-8")) > limit:
        return _err("validation_content_size_limit", f"The maximum allowed content size is {limit} bytes",
                    maxSize=limit)
    return None


def check_date(field: dict, value: str):
    if value == "":
        return REQUIRED if field.get("required") else None
    for bound, code, words in (("min", "validation_min_greater_equal_than_required", "no less"),
                               ("max", "validation_max_less_equal_than_required", "no greater")):
        limit = field.get(bound) or ""
        if limit and (value < limit if bound == "min" else value > limit):
            shown, iso = _go_time(limit)
            return _err(code, f"must be {words} than {shown}", threshold=iso)
    return None


def _check_count(field: dict, values: list):
    if not values:
        return REQUIRED if field.get("required") else None
    low, high = field.get("minSelect") or 0, max(field.get("maxSelect") or 0, 1)
    if low and len(values) < low:
        return _err("validation_not_enough_values", f"Select at least {low}", minSelect=low)
    if len(values) > high:
        return _err("validation_too_many_values", f"Select no more than {high}", maxSelect=high)
    return None


def _as_list(field: dict, value) -> list:
    if is_multiple(field):
        return list(value)
    return [value] if value != "" else []


def check_select(field: dict, value):
    values = _as_list(field, value)
    problem = _check_count(field, values)
    if problem or not values:
        return problem
    allowed = field.get("values") or []
    for item in values:
        if item not in allowed:
            return _err("validation_invalid_value", f"Invalid value {item}", value=item)
    return None


def check_relation(field: dict, value, exists=None):
    values = _as_list(field, value)
    problem = _check_count(field, values)
    if problem or not values or exists is None:
        return problem
    found = exists(field.get("collectionId", ""), values)
    if any(item not in found for item in values):
        return _err("validation_missing_rel_records", "Failed to find all relation records with the provided ids")
    return None


def check_file(field: dict, value):
    """Blank or too many names (the binary's file codes; uploads' sizes and types: runtime.data.uploads)."""
    values = _as_list(field, value)
    if not values:
        return REQUIRED if field.get("required") else None
    high = max(field.get("maxSelect") or 0, 1)
    if len(values) > high:
        return _err("validation_too_many_files", f"The maximum allowed files is {high}", maxSelect=high)
    return None


def check_json(field: dict, value: bytes):
    if bytes(value) in _BLANK_JSON:
        return REQUIRED if field.get("required") else None
    limit = field.get("maxSize") or JSON_DEFAULT_MAX
    if len(value) > limit:
        return _err("validation_json_size_limit", f"The maximum allowed JSON size is {limit} bytes", maxSize=limit)
    return None


def check_password(field: dict, value: PasswordValue):
    plain = value.plain
    if plain == "":
        return REQUIRED if field.get("required") and not value.hash else None
    low, high = field.get("min") or 0, field.get("max") or 0
    if low and len(plain) < low:
        return {"code": "validation_min_text_constraint", "message": f"Must be at least {low} character(s)"}
    if high and len(plain) > high:
        return {"code": "validation_max_text_constraint", "message": f"Must be less than {high} character(s)"}
    pattern = field.get("pattern")
    if pattern and not re.search(pattern, plain):
        return {"code": "validation_invalid_format", "message": "Invalid value format"}
    if len(plain.encode("utf-8")) > 72:
        return {"code": "validation_invalid_value", "message": "bcrypt: password length exceeds 72 bytes",
                "rest_message": "Invalid value."}
    return None


def check_geopoint(field: dict, value: dict):
    lon, lat = value.get("lon", 0), value.get("lat", 0)
    if lon == 0 and lat == 0:
        return REQUIRED if field.get("required") else None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return _err("validation_invalid_geo_point", "Invalid geoPoint coordinates")
    return None


CHECKS = {"text": check_text, "number": check_number, "bool": lambda f, v: REQUIRED if f.get("required") and not v
          else None, "email": check_email, "url": check_url, "editor": check_editor, "date": check_date,
          "select": check_select, "file": check_file, "json": check_json, "password": check_password,
          "geoPoint": check_geopoint}


def field_errors(fields: list, values: dict, exists=None) -> dict:
    """Every field's first failing rule: name → error item (nothing for a valid record)."""
    errors = {}
    for field in fields:
        kind, name = field.get("type"), field.get("name")
        if kind == "relation":
            problem = check_relation(field, values.get(name, ""), exists)
        elif kind in CHECKS:
            problem = CHECKS[kind](field, values.get(name))
        else:
            problem = None
        if problem:
            errors[name] = problem
    return errors


def unique_indexes(collection: dict) -> list:
    """The collection's UNIQUE indexes: [{"name", "columns", "where", "sql"}]."""
    found = []
    for sql in collection.get("indexes") or []:
        match = _INDEX.match(sql.strip())
        if match:
            columns = [c.strip().strip("`\"[]").split()[0] for c in match.group(2).split(",") if c.strip()]
            found.append({"name": match.group(1), "columns": columns, "where": (match.group(3) or "").strip(),
                          "sql": sql})
    return found


def validate(collection: dict, values: dict, *, record_id: str = "", exists=None, unique=None,
             saved_id: str = "") -> None:
    """Raise ValidationError when `values` (field name → value as fields.normalize made it) may not be saved.
    `saved_id`: a stored record's id, which a save may not change (the binary's primary key rule)."""
    fields = collection.get("fields") or []
    errors = field_errors(fields, values, exists)
    if saved_id and values.get("id") != saved_id:
        errors["id"] = PK_CHANGE
    if not errors and unique is not None:
        by_name = {f.get("name"): f for f in fields}
        for index in unique_indexes(collection):
            columns = {c: to_column(by_name[c], values.get(c)) for c in index["columns"] if c in by_name}
            if len(columns) == len(index["columns"]) and not unique(index, columns, record_id):
                for column in index["columns"]:
                    errors[column] = _err("validation_not_unique", "Value must be unique")
    if errors:
        raise ValidationError(errors)
