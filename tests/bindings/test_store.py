"""store(): one key/value space shared by every worker (bindings/store.py)."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from bindings import store as store_family
from bindings.context import Context, RequestInfo, ResponseEffects
from bindings.registry import BindingError
from tests.helpers import SITES

SITE = f"{SITES}/limits_site"
EXT = f"{SITES}/limits_ext.py"


def ctx(data_dir) -> Context:
    info = RequestInfo("GET", "/", "/", {}, {}, {}, None)
    return Context(request=info, response=ResponseEffects(), data_dir=str(data_dir), site="")


def test_write_by_one_worker_is_read_by_the_other(serve):
    server = serve(SITE, "--workers", "2", "--ext", EXT)
    rows = [server.get("/counter").text.split() for _ in range(30)]  # a new connection each
    counts = [int(n) for n, _ in rows]
    assert counts == list(range(1, 31))  # sequential: every increment builds on the last one, whoever served it
    assert len({pid for _, pid in rows}) == 2


def test_concurrent_writers_in_two_workers_never_fail(serve):
    server = serve(SITE, "--workers", "2", "--ext", EXT)
    with ThreadPoolExecutor(6) as pool:
        statuses = list(pool.map(lambda _: server.get("/counter").status, range(60)))
    assert statuses == [200] * 60


def test_values_round_trip_as_json_and_survive_a_restart(tmp_path):
    c = ctx(tmp_path)
    value = {"a": [1, 2.5, None, True], "s": "ü<&>"}
    assert store_family.store(c, "cfg", value) == value
    store_family.database(str(tmp_path)).close()
    assert store_family.store(c, "cfg") == value
    assert (tmp_path / "store.db").exists()


def test_missing_name_reads_null_and_undefined_value_reads(tmp_path):
    c = ctx(tmp_path)
    assert store_family.store(c, "nothing") is None
    store_family.store(c, "k", 5)
    assert store_family.store(c, "k", None) == 5  # JS undefined arrives as null: a read, as in PocketPages


def test_bad_names_and_huge_values_are_clear_errors(tmp_path):
    c = ctx(tmp_path)
    for bad in ("", 5, "x" * 300):
        try:
            store_family.store(c, bad)
        except BindingError as e:
            assert "name" in e.message
        else:
            raise AssertionError(f"{bad!r} accepted")
    try:
        store_family.store(c, "big", "x" * (store_family.MAX_VALUE + 1))
    except BindingError as e:
        assert "over" in e.message
    else:
        raise AssertionError("huge value accepted")
