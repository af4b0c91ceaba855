"""A create or update body turned into a record's new values, as PocketBase's record form does it.

Form bodies are typed as the binary types them (`"true"`/`"false"` are booleans, a number written in its
shortest form is a number, anything else stays text); `field+`/`+field`/`field-` append, prepend or remove
items of multi-value fields and add to or subtract from numbers; the body the rules see (`@request.body`)
holds each field's value after that. Hidden fields sent by non-superusers are ignored (an auth collection's
password excepted). On auth collections `password`/`passwordConfirm`/`oldPassword` are checked as the form
does, and `email` (on update) and `verified` may change only with manage access.
"""
from __future__ import annotations

import re
from decimal import Decimal

from runtime.data import fields as F
from runtime.data.records import Record
from runtime.data.validation import ValidationError

_NUMBER = re.compile(r"^[\-.\d]+$")
_SKIP_AUTH = ("passwordConfirm", "oldPassword")


def infer(raw):
    """One form value typed as the binary does (inferValue)."""
    if not isinstance(raw, str) or raw == "":
        return raw
    if raw in ("true", "false"):
        return raw == "true"
    if (raw[0] == "-" or raw[0].isdigit()) and _NUMBER.match(raw):
        try:
            value = float(raw)
        except ValueError:
            return raw
        text = format(Decimal(repr(value)), "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        if text == raw:
            return value
    return raw


def typed_body(request) -> dict:
    data = request.data()
    if "json" in request.content_type.lower():
        return dict(data)
    return {k: [infer(v) for v in value] if isinstance(value, list) else infer(value) for k, value in data.items()}


def _setter(record: Record, key: str):
    """(field, how) for a body key: `set`, or a modifier `append`/`prepend`/`remove`; None when no field."""
    field = record.fields.get(key)
    if field is not None:
        return field, "set"
    kind_of = lambda name: (record.fields.get(name) or {}).get("type")  # noqa: E731
    if key.endswith("+") and kind_of(key[:-1]) in ("select", "relation", "file", "number"):
        return record.fields[key[:-1]], "append"
    if key.startswith("+") and kind_of(key[1:]) in ("select", "relation", "file"):
        return record.fields[key[1:]], "prepend"
    if key.endswith("-") and kind_of(key[:-1]) in ("select", "relation", "file", "number"):
        return record.fields[key[:-1]], "remove"
    return None, None


def set_value(record: Record, key: str, value):
    """Set one body key on the record (modifiers applied); the field it set, or None."""
    field, how = _setter(record, key)
    if field is None:
        return None
    name = field["name"]
    if how == "set":
        record.set(name, value)
    elif field["type"] == "number":
        step = F.to_float(value)
        record.set(name, F.to_float(record.get(name)) + (step if how == "append" else -step))
    else:
        current = F.get_string_slice(record.get(name))
        items = F.unique_strings(value)
        if how == "append":
            record.set(name, current + items)
        elif how == "prepend":
            record.set(name, items + current)
        else:
            record.set(name, [v for v in current if v not in items])
    return field


def replace_modifiers(record: Record, data: dict) -> dict:
    """The body with modifier keys resolved to their field's resulting value (PocketBase's ReplaceModifiers)."""
    copy = Record(record.collection)
    copy.values = dict(record.values)
    out = dict(data)
    for key in sorted(data, key=len):
        field = set_value(copy, key, data[key])
        if field is not None:
            out.pop(key, None)
            name = field["name"]
            out[name] = data[key] if field["type"] == "password" else F.export(field, copy.values[name])
    return out


def body_data(call, record: Record) -> dict:
    """The request's body as the rules and the form read it."""
    data = replace_modifiers(record, typed_body(call.request))
    if not call.is_superuser:
        auth = record.is_auth()
        for name, field in record.fields.items():
            if field.get("hidden") and not (auth and name == "password"):
                data.pop(name, None)
    return data


class Form:
    """The record form: loads the body into the record, then checks the auth fields before the save."""

    def __init__(self, record: Record, superuser: bool):
        self.record, self.superuser, self.manager = record, superuser, superuser
        self.password = self.password_confirm = self.old_password = ""
        self.original_email = record.email() if not record.is_new else ""
        self.original_verified = record.verified() if not record.is_new else False
        self.original = dict(record.values)

    def load(self, data: dict) -> None:
        auth = self.record.is_auth()
        if auth:
            self.password = F.to_string(data.get("password", "")) if "password" in data else ""
            self.password_confirm = F.to_string(data.get("passwordConfirm", ""))
            self.old_password = F.to_string(data.get("oldPassword", ""))
        for key, value in data.items():
            if key == "expand" or (auth and key in _SKIP_AUTH):
                continue
            field = set_value(self.record, key, value)
            if field is not None and not self.superuser and field.get("hidden") and \
                    not (auth and field["name"] == "password"):
                self.record.values[field["name"]] = self.original[field["name"]]

    def errors(self) -> dict:
        record = self.record
        if not record.is_auth():
            return {}
        new, errors = record.is_new, {}
        mismatch = {"code": "validation_values_mismatch", "message": "Values don't match."}
        required = {"code": "validation_required", "message": "Cannot be blank."}
        if not new and not self.manager and record.email() != self.original_email:
            errors["email"] = mismatch
        if not self.manager and record.verified() != self.original_verified:
            errors["verified"] = mismatch
        if (new or self.password_confirm or self.old_password) and not self.password:
            errors["password"] = required
        if (new or self.password or self.old_password) and not self.password_confirm:
            errors["passwordConfirm"] = required
        elif self.password_confirm != self.password:
            errors["passwordConfirm"] = mismatch
        if not new and not self.manager and (self.password or self.password_confirm):
            stored = Record(record.collection)
            stored.values = self.original
            if not self.old_password:
                errors["oldPassword"] = required
            elif not stored.validate_password(self.old_password):
                errors["oldPassword"] = {"code": "validation_invalid_old_password",
                                         "message": "Missing or invalid old password."}
        return errors

    def check(self) -> None:
        errors = self.errors()
        if errors:
            raise ValidationError(errors)
