"""runtime.data.records and validation as plain values: no PocketBase process (the oracle files compare those)."""
import re

from runtime.data.records import Record, generate_from_pattern
from runtime.data.validation import ValidationError, validate

ID = {"name": "id", "type": "text", "system": True, "required": True, "primaryKey": True, "min": 15, "max": 15,
      "pattern": "^[a-z0-9]+$", "autogeneratePattern": "[a-z0-9]{15}", "hidden": False}
USERS = {"id": "_pb_users_auth_", "name": "users", "type": "auth", "fields": [
    ID,
    {"name": "password", "type": "password", "required": True, "min": 8, "hidden": True, "cost": 0},
    {"name": "tokenKey", "type": "text", "required": True, "min": 30, "max": 60, "hidden": True,
     "autogeneratePattern": "[a-zA-Z0-9]{50}"},
    {"name": "email", "type": "email", "required": True},
    {"name": "emailVisibility", "type": "bool"}, {"name": "verified", "type": "bool"},
    {"name": "name", "type": "text", "max": 255}, {"name": "meta", "type": "json"},
    {"name": "created", "type": "autodate", "onCreate": True},
    {"name": "updated", "type": "autodate", "onCreate": True, "onUpdate": True}]}


def test_a_new_user_gets_an_id_token_key_hash_and_dates_on_save():
    user = Record(USERS, {"email": "a@example.com", "name": "Ann"})
    user.set_password("goodpass1")
    assert user.is_new and user.id == "" and user.token_key() == ""
    columns = user.save_values()
    assert re.fullmatch(r"[a-z0-9]{15}", user.id) and re.fullmatch(r"[a-zA-Z0-9]{50}", user.token_key())
    assert columns["password"].startswith("$2a$10$") and len(columns["password"]) == 60
    assert columns["created"] == columns["updated"] and columns["created"].endswith("Z")
    assert user.validate_password("goodpass1") and not user.validate_password("wrong")
    assert user.get("password") == "goodpass1"


def test_a_stored_row_reads_back_and_a_new_password_refreshes_the_token_key():
    user = Record(USERS, {"email": "a@example.com", "meta": {"k": [1, 2]}, "verified": True})
    user.set_password("goodpass1")
    row = user.save_values()
    loaded = Record.from_row(USERS, row)
    assert loaded.column_values() == row and loaded.changed() == []
    assert loaded.get("password") == "" and loaded.validate_password("goodpass1") and loaded.verified()
    assert bytes(loaded.get("meta")) == b'{"k":[1,2]}' and loaded.get_string("meta") == '{"k":[1,2]}'
    key = loaded.token_key()
    loaded.set_password("another-pass")
    assert loaded.token_key() != key and set(loaded.changed()) == {"password", "tokenKey"}


def test_public_export_hides_hidden_fields_and_the_email_unless_visible():
    user = Record(USERS, {"email": "a@example.com", "id": "abcdefghijklmno"})
    shown = user.public_export()
    assert "password" not in shown and "tokenKey" not in shown and "email" not in shown
    assert shown["collectionId"] == "_pb_users_auth_" and shown["collectionName"] == "users"
    assert shown["id"] == "abcdefghijklmno" and shown["meta"] is None
    user.set("emailVisibility", "true")
    assert user.to_json()["email"] == "a@example.com"


def test_validation_error_text_and_rest_shape():
    try:
        validate(USERS, Record(USERS, {"id": "short", "email": "x"}).values)
    except ValidationError as error:
        assert str(error) == ("email: must be a valid email address; id: Must be at least 15 character(s).; "
                              "password: cannot be blank; tokenKey: cannot be blank.")
        assert error.data()["id"] == {"code": "validation_min_text_constraint",
                                      "message": "Must be at least 15 character(s).", "params": {"min": 15}}
        assert error.data()["password"] == {"code": "validation_required", "message": "Cannot be blank."}
    else:
        raise AssertionError("expected a ValidationError")


def test_patterns_generate_their_characters():
    assert re.fullmatch(r"[a-z0-9]{15}", generate_from_pattern("[a-z0-9]{15}"))
    assert re.fullmatch(r"pre_[A-F]{3}x", generate_from_pattern("^pre_[A-F]{3}x$"))
