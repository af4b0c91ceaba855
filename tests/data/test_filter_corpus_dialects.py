"""The whole query corpus (tests/data/query_corpus.py: every filter and sort of the oracle cases) compiled for both
dialects on the corpus project's real schema: on SQLite it runs against the migrated data.db, for PostgreSQL it
is the same statement with `$n` placeholders — every value bound on both, a refused filter refused on both."""
import os
import shutil
import subprocess
import sys

import pytest

from runtime.data import process
from runtime.data.query import FilterError, build_select
from tests.data.query_corpus import CASES
from tests.helpers import ROOT, SITES

FILTERED = [c for c in CASES if (isinstance(c.get("filter"), str) or c.get("sort"))
            and c["name"] != "methods:filter-unknown-collection"]  # no schema to compile against


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """The corpus project migrated by pagesvm itself (`pagesvm migrate up`), no binary needed."""
    base = tmp_path_factory.mktemp("dialects")
    project = str(base / "query_project")
    shutil.copytree(os.path.join(SITES, "query_project"), project, ignore=shutil.ignore_patterns("pb_data"))
    data = str(base / "data")
    done = subprocess.run([sys.executable, "-m", "runtime.serve.cli", "migrate", "up", project, "--data", data],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    yield process.store_for(data)
    process.forget(data)


def _compile(store, case, dialect):
    collection = store.find_collection_by_name_or_id(case["collection"])
    return build_select(collection, store.find_collection_by_name_or_id, case.get("filter") or "",
                        case.get("sort") or "", params=case.get("params"), dialect=dialect,
                        limit=case.get("limit") or 0, offset=case.get("offset") or 0)


def test_the_corpus_has_filters_to_compile():
    assert len(FILTERED) >= 150


@pytest.mark.parametrize("case", [pytest.param(c, id=c["name"]) for c in FILTERED])
def test_every_corpus_filter_compiles_for_sqlite_and_postgres(store, case):
    try:
        text, values = _compile(store, case, "sqlite")
    except FilterError as exc:
        with pytest.raises(FilterError) as again:
            _compile(store, case, "postgres")
        assert str(again.value) == str(exc)
        return
    store.db.execute(text, values).fetchall()  # valid SQLite, every value bound
    pg_text, pg_values = _compile(store, case, "postgres")
    assert "?" not in pg_text and "`" not in pg_text
    assert [f"${n}" in pg_text for n in range(1, len(pg_values) + 1)] == [True] * len(pg_values)
    assert len(pg_values) == len(values)
    for value in (case.get("params") or {}).values():  # a param's text never reaches the SQL of either dialect
        if isinstance(value, str) and len(value) > 2:
            assert value not in text and value not in pg_text
