"""Filters compiled to SQL (runtime.data.query): every value bound, identifiers from the schema only, the
equality/LIKE/multi-match shapes, sorts, and the same trees compiled for PostgreSQL."""
import datetime
import sqlite3

import pytest

from runtime.data.collections import Collection
from runtime.data.db import NotFoundError
from runtime.data.query import FilterError, build_select
from runtime.data.query.compile import like_pattern, macro_value
from tests.data.filter_scenario import CASES

AUTHORS = Collection(name="authors", id="A", fields=[
    {"name": "id", "type": "text"}, {"name": "name", "type": "text"}, {"name": "age", "type": "number"},
    {"name": "active", "type": "bool"}, {"name": "email", "type": "email"}])
POSTS = Collection(name="posts", id="P", fields=[
    {"name": "id", "type": "text"}, {"name": "title", "type": "text"}, {"name": "views", "type": "number"},
    {"name": "tags", "type": "select", "maxSelect": 3}, {"name": "status", "type": "select", "maxSelect": 1},
    {"name": "author", "type": "relation", "collectionId": "A", "maxSelect": 1},
    {"name": "editors", "type": "relation", "collectionId": "A", "maxSelect": 5},
    {"name": "data", "type": "json"}, {"name": "published", "type": "date"}])
COMMENTS = Collection(name="comments", id="C", fields=[
    {"name": "id", "type": "text"}, {"name": "post", "type": "relation", "collectionId": "P", "maxSelect": 1},
    {"name": "body", "type": "text"}])
_ALL = {c.name: c for c in (AUTHORS, POSTS, COMMENTS)} | {c.id: c for c in (AUTHORS, POSTS, COMMENTS)}


def load(key):
    if key not in _ALL:
        raise NotFoundError()
    return _ALL[key]


def select(filter_="", sort="", dialect="sqlite", params=None, collection=POSTS, **kw):
    return build_select(collection, load, filter_, sort, params=params, dialect=dialect, **kw)


def test_values_are_bound_never_written():
    text, params = select("title = 'x\\' OR 1=1 --' && views > 5 && data.evil = 1", params={})
    assert "OR 1=1" not in text and "evil" not in text
    assert params == ["x' OR 1=1 --", 5.0, "$.evil", "$.pb.evil", 1.0]


def test_equality_treats_null_and_empty_alike():
    assert select("title = ''")[0].endswith("WHERE ((`posts`.`title` = '' OR `posts`.`title` IS NULL))")
    assert select("title != null")[0].endswith(
        "WHERE ((`posts`.`title` IS NOT '' AND `posts`.`title` IS NOT NULL))")
    assert select("title = views")[0].endswith("WHERE (COALESCE(`posts`.`title`, '') = COALESCE(`posts`.`views`, ''))")
    assert "IS NOT ?" in select("title != 'a'")[0]


def test_like_patterns():
    assert like_pattern("a_b") == "%a\\_b%"
    assert like_pattern("10%") == "10%"
    assert like_pattern("a\\_b") == "%a\\_b%"
    assert like_pattern(1.0) == "%1%"
    assert "LIKE ('%' || `posts`.`title` || '%')" in select("title ~ title")[0]


def test_plain_operators_on_many_values_require_all():
    any_text, _ = select("editors.name ?= 'x'")
    all_text, _ = select("editors.name = 'x'")
    assert "NOT EXISTS" not in any_text and "NOT EXISTS" in all_text
    assert "SELECT DISTINCT" in all_text


def test_errors():
    for text, message in [("nope = 1", 'invalid left operand "nope" - unknown field "nope"'),
                          ("title:x = 1", 'invalid left operand "title:x" - unknown modifier in "title:x"'),
                          ("title.x = 1", 'invalid left operand "title.x" - field "title" is not a valid relation'),
                          ("1 = #x", 'invalid right operand "#x" - failed to resolve field "#x"')]:
        with pytest.raises(FilterError, match="^invalid filter expression: " + message.replace(".", r"\.")):
            select(text)
    with pytest.raises(FilterError, match='^invalid sort field "@now"$'):
        select(sort="@now")


def test_macros_in_utc():
    now = datetime.datetime(2024, 2, 10, 13, 14, 15, 678900, tzinfo=datetime.timezone.utc)
    assert macro_value("@now", now) == "2024-02-10 13:14:15.678Z"
    assert macro_value("@monthEnd", now) == "2024-02-29 23:59:59.999Z"
    assert macro_value("@yearStart", now) == "2024-01-01 00:00:00.000Z"
    assert macro_value("@weekday", now) == 6
    assert macro_value("@nope", now) is None


def test_sort_limit_offset():
    text, params = select(sort="-views,+title,author.name,@random", limit=5, offset=2)
    assert text.endswith("ORDER BY `posts`.`views` DESC, `posts`.`title` ASC, `posts_author`.`name` ASC, RANDOM() "
                         "LIMIT ? OFFSET ?")
    assert params == [5, 2]
    assert select(offset=3)[1] == [-1, 3]


def _schema(conn):
    for c in (AUTHORS, POSTS, COMMENTS):
        conn.execute(f"CREATE TABLE `{c.name}` ({', '.join('`%s`' % f['name'] for f in c.fields)})")


@pytest.mark.parametrize("case", [c for c in CASES if c[0] in ("posts", "authors", "comments")])
def test_the_oracle_corpus_prepares_on_sqlite_and_compiles_for_postgres(case):
    collection, filter_, sort, limit, offset, params = case
    try:
        text, values = select(filter_, sort, params=params, collection=_ALL[collection], limit=limit, offset=offset)
    except FilterError:
        with pytest.raises(FilterError):
            select(filter_, sort, "postgres", params, _ALL[collection], limit=limit, offset=offset)
        return
    conn = sqlite3.connect(":memory:")
    _schema(conn)
    conn.execute(text, values).fetchall()  # valid SQL with every value bound
    pg_text, pg_values = select(filter_, sort, "postgres", params, _ALL[collection], limit=limit, offset=offset)
    assert "?" not in pg_text and "`" not in pg_text
    assert pg_text.count("$") == len(pg_values) == len(values)
