"""Attack (a correctness hole, not an injection): `~` against a json column's path (`title ~ data.a`) wrote ONE
`?` for the pattern but carried both of the json path's bound values, so the statement's marks and values fell
out of step: SQLite refused the query (`Incorrect number of bindings supplied`) and every `{:param}` after it
would have met the wrong mark had the counts happened to agree. A column on the right of `~` is a contains test,
whatever values its SQL binds."""
import sqlite3

import pytest

from tests.data.test_filter_compile import select


@pytest.mark.parametrize("text", ["title ~ data.a", "title !~ data.a.b && title = {:t}", "data.x ~ data.y",
                                  "title ~ data.a || views > 1"])
def test_marks_and_values_stay_in_step(text):
    sql, values = select(text, params={"t": "x"})
    assert sql.count("?") == len(values), (sql, values)
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE posts (id TEXT, title TEXT, views NUMERIC, tags TEXT, status TEXT, author TEXT, "
                 "editors TEXT, data JSON, published TEXT)")
    conn.execute("INSERT INTO posts VALUES ('1', 'a big cat', 2, '[]', '', '', '[]', '{\"a\": \"big\"}', '')")
    assert conn.execute(sql, values).fetchall() is not None
