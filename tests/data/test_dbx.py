"""runtime/data/dbx.py: `$dbx` expressions (as plain data) become dbx's SQL text with every value bound, names
checked and quoted, and `{:name}` placeholders of raw SQL bound (a missing one refused, as dbx does)."""
import sqlite3

import pytest

from runtime.data.dbx import DbxError, bind_sql, where


def _sql(*exprs):
    body, params = where(list(exprs))
    return bind_sql(body, params)


def test_hash_sorts_names_binds_values_and_handles_null_lists_and_nested():
    text, values = _sql({"__dbx": "hash", "data": {"b": 1, "a": None, "c": ["x", "y"], "d": {"__dbx": "exp", "sql": "1=1"}}})
    assert text == "`a` IS NULL AND `b`=? AND `c` IN (?, ?) AND (1=1)" and values == [1, "x", "y"]


def test_and_or_not_in_like_between_exists_in_dbx_text():
    assert _sql({"__dbx": "or", "exps": [{"__dbx": "hash", "data": {"a": 1}},
                                         {"__dbx": "not", "exp": {"__dbx": "in", "col": "t.b", "values": [2]}}]}) == (
        "(`a`=?) OR (NOT (`t`.`b`=?))", [1, 2])
    assert _sql({"__dbx": "in", "col": "a", "values": []}) == ("0=1", [])
    assert _sql({"__dbx": "notIn", "col": "a", "values": []}) == ("", [])
    assert _sql({"__dbx": "like", "col": "a", "values": ["1%_"]}) == ("`a` LIKE ?", ["%1\\%\\_%"])
    assert _sql({"__dbx": "orNotLike", "col": "a", "values": ["x", "y"], "left": False, "esc": []}) == (
        "`a` NOT LIKE ? OR `a` NOT LIKE ?", ["x%", "y%"])
    assert _sql({"__dbx": "notBetween", "col": "v", "from": 1, "to": 5}) == ("`v` NOT BETWEEN ? AND ?", [1, 5])
    assert _sql({"__dbx": "exists", "exp": {"__dbx": "exp", "sql": "SELECT 1"}}) == ("EXISTS (SELECT 1)", [])
    assert _sql({"__dbx": "hash", "data": {"a": 1}}, {"__dbx": "exp", "sql": "b > {:v}", "params": {"v": 2}}) == (
        "(`a`=?) AND (b > ?)", [1, 2])


def test_names_are_checked_and_values_never_become_sql():
    for bad in ("a) OR 1=1 --", "a`b", "", "(select 1)"):
        with pytest.raises(DbxError):
            _sql({"__dbx": "hash", "data": {bad: 1}})
    with pytest.raises(DbxError):
        _sql({"__dbx": "drop"})
    text, values = _sql({"__dbx": "hash", "data": {"a": "' OR 1=1 --"}})
    assert "OR" not in text and values == ["' OR 1=1 --"]


def test_raw_sql_binds_placeholders_and_quotes_names():
    assert bind_sql("SELECT [[t.a]] FROM {{t}} WHERE x = {:x} OR y = {:x}", {"x": "v"}) == (
        "SELECT `t`.`a` FROM `t` WHERE x = ? OR y = ?", ["v", "v"])
    with pytest.raises(DbxError, match="Named parameter not found: y"):
        bind_sql("SELECT {:y}", {})
    conn = sqlite3.connect(":memory:")
    text, values = bind_sql("SELECT {:a}, {:b}", {"a": "'; DROP TABLE x; --", "b": {"k": [1]}})
    assert conn.execute(text, values).fetchone() == ("'; DROP TABLE x; --", '{"k":[1]}')
