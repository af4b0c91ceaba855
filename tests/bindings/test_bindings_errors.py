"""How binding failures reach pages and responses, through a real server on loopback."""
import pytest

from tests.helpers import start_server, wait_for, served

SITE = "tests/sites/bind_basic"
EXT = "tests/sites/bind_ext.py"


server = served(SITE, "--ext", EXT)


@pytest.fixture(scope="module")
def dev_server(tmp_path_factory):
    srv = start_server(SITE, "--ext", EXT, "--dev", data_dir=str(tmp_path_factory.mktemp("data")))
    yield srv
    srv.stop()


def test_binding_error_arrives_as_a_catchable_js_error_with_its_message(server):
    assert server.get("/errors?case=caught").json() == {"isError": True, "message": "out of stock", "status": 409}


def test_uncaught_binding_error_gives_its_status_and_message(server):
    res = server.get("/errors?case=uncaught")
    assert res.status == 409
    assert "out of stock" in res.text
    assert "still running" not in res.text
    res = server.get("/errors?case=uncaught-teapot")
    assert res.status == 418 and "short and stout" in res.text


def test_other_exception_arrives_as_internal_error_naming_the_binding(server):
    body = server.get("/errors?case=caught-boom").json()
    assert body == {"isError": True, "message": "internal error in binding boom"}


def test_uncaught_exception_is_a_500_without_its_text_and_the_traceback_is_logged(server):
    res = server.get("/errors?case=uncaught-boom")
    assert res.status == 500
    assert "secret detail" not in res.text and "Traceback" not in res.text
    assert wait_for(lambda: "secret detail 7f3a" in server.log)
    assert "Traceback (most recent call last)" in server.log
    assert server.get("/").status == 200  # the server carries on


def test_dev_mode_shows_the_traceback_in_the_page(dev_server):
    res = dev_server.get("/errors?case=uncaught-boom")
    assert res.status == 500
    assert "internal error in binding boom" in res.text
    assert "RuntimeError: secret detail 7f3a" in res.text and "Traceback" in res.text


def test_non_json_return_is_an_error_naming_the_binding_and_type(server):
    body = server.get("/errors?case=caught-bad").json()
    assert body == {"isError": True, "message": "badReturn returned a non-JSON value: object"}
    res = server.get("/errors?case=uncaught-bad")
    assert res.status == 500
    assert wait_for(lambda: "badReturn returned a non-JSON value: object" in server.log)


def test_integer_beyond_safe_range_is_refused_rather_than_rounded(server):
    body = server.get("/errors?case=caught-big").json()
    assert body == {"message": "tooBig returned a non-JSON value: integer beyond 2**53"}
