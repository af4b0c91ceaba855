"""Refusals without a socket: raised where they are decided (path, prefix, cross-site guard, method,
body, on_request hook, admission) and answered in one place with a status page, through a fake
handler that records the Response it is sent; and Exchange writing a Response to a fake connection."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from tornado.httputil import HTTPHeaders

from bindings.registry import BindingError
from runtime.data.busy import DatabaseBusyError
from runtime.http.admission import Admission
from runtime.http.connection import Exchange
from runtime.http.pipeline import PagesRuntime
from runtime.http.response import Refusal, Response
from tests.helpers import write_site

HOST = "127.0.0.1:8090"


class FakeHandler:
    """What the pipeline uses of a handler: ``request`` and ``send``."""

    def __init__(self, method="GET", path="/", headers=None, body=b""):
        self.request = SimpleNamespace(method=method, path=path, uri=path, query="", body=body, protocol="http",
                                       host=HOST, remote_ip="127.0.0.1", headers=HTTPHeaders(headers or {}))
        self.sent: list[Response] = []

    def send(self, response: Response) -> None:
        self.sent.append(response)

    @property
    def answer(self) -> Response:
        [response] = self.sent
        return response


@pytest.fixture(scope="module")
def runtime(tmp_path_factory):
    site = write_site(tmp_path_factory.mktemp("site"), {
        "index.ejs": "home", "style.css": "b{}", "_private/secret.ejs": "no",
    })
    return PagesRuntime(site, data_dir=str(tmp_path_factory.mktemp("data")))


def served(runtime, *args, **kwargs) -> Response:
    handler = FakeHandler(*args, **kwargs)
    assert runtime.serve(handler) is None  # answered at once, nothing queued
    return handler.answer


@pytest.mark.parametrize("path, status, reason", [
    ("/a/%2e%2e/index", 400, "dot segments are not allowed"),
    ("/a%2fb", 400, "encoded separators are not allowed"),
    ("/%ff", 400, "malformed URL encoding"),
    ("/" + "a" * 3000, 400, "URL too long"),
    ("/_private/secret", 404, "not found"),
    ("/missing", 404, "not found"),
])
def test_a_bad_or_unknown_path_is_refused_with_a_status_page(runtime, path, status, reason):
    response = served(runtime, "GET", path)
    assert response.status == status and reason in response.body


def test_a_static_file_is_answered_at_once_and_other_methods_are_refused(runtime):
    response = served(runtime, "GET", "/style.css")
    assert (response.status, response.body) == (200, b"b{}")
    assert ("Content-Type", "text/css; charset=utf-8") in response.headers
    assert served(runtime, "DELETE", "/style.css", headers={"Origin": "http://" + HOST}).status == 405


def test_a_cross_site_post_is_refused_before_the_page_runs(runtime):
    response = served(runtime, "POST", "/", headers={"Origin": "http://evil.example"})
    assert response.status == 403 and "cross-origin request refused" in response.body


def test_a_body_that_cannot_be_parsed_is_a_400(runtime):
    response = served(runtime, "POST", "/", headers={"Content-Type": "application/json"}, body=b"{nope")
    assert response.status == 400 and "not valid JSON" in response.body


def test_an_on_request_hook_refusing_answers_with_its_status(runtime):
    def hook(ctx):
        raise BindingError("go away", 429)

    runtime.registry.request_hooks.append(hook)
    try:
        response = served(runtime, "GET", "/")
    finally:
        runtime.registry.request_hooks.remove(hook)
    assert response.status == 429 and "go away" in response.body


def test_refuse_is_the_public_answer_for_a_refusal_decided_before_the_pipeline(runtime):
    handler = FakeHandler("POST", "/")
    with pytest.raises(Refusal) as caught:
        Admission(max_body=10).check(SimpleNamespace(uri="/", remote_ip="127.0.0.1",
                                                     headers=HTTPHeaders({"Content-Length": "11"})))
    runtime.refuse(handler, caught.value.status, caught.value.reason)
    assert handler.answer.status == 413 and "request body over 10 bytes" in handler.answer.body


@pytest.mark.parametrize("headers, status", [({"Content-Length": "x"}, 400), ({"X-Big": "v" * 100}, 431),
                                             ({"Content-Length": "10"}, None)])
def test_admission_check_raises_a_refusal_or_lets_the_request_in(headers, status):
    request = SimpleNamespace(uri="/", remote_ip="127.0.0.1", headers=HTTPHeaders(headers))
    admission = Admission(max_body=10, max_header=80)
    if status is None:
        assert admission.check(request) is None
    else:
        with pytest.raises(Refusal) as caught:
            admission.check(request)
        assert caught.value.status == status


# -- Exchange writes a Response straight to the connection ---------------------------------------
class _Connection:
    def __init__(self):
        self.written = []
        self.stream = None

    def write_headers(self, start, headers, chunk):
        self.written.append((start.code, headers, chunk))

    def finish(self):
        pass


def _exchange(method: str):
    front = SimpleNamespace(admission=Admission())
    request = SimpleNamespace(method=method, path="/x", remote_ip="127.0.0.1", request_time=lambda: 0.0)
    connection = _Connection()
    return Exchange(front, connection, request), connection


@pytest.mark.parametrize("method, status, chunk, length", [
    ("GET", 200, b"hello", "5"), ("HEAD", 200, b"", "5"), ("GET", 204, b"", None), ("GET", 304, b"", None)])
def test_exchange_writes_one_response_with_the_body_rules(method, status, chunk, length):
    exchange, connection = _exchange(method)
    exchange.send(Response(status, "hello"))
    [(code, headers, written)] = connection.written
    assert (code, written, headers.get("Content-Length")) == (status, chunk, length)
    assert "Date" in headers and exchange.get_status() == status
    with pytest.raises(RuntimeError):
        exchange.send(Response(200, "again"))


def test_an_on_request_hook_held_up_by_a_busy_database_is_a_503_to_retry(runtime):
    # Another process held data.db's lock for the whole busy timeout: not a bug of the hook (500), a retry.
    def hook(ctx):
        raise DatabaseBusyError("data.db")

    runtime.registry.request_hooks.append(hook)
    try:
        response = served(runtime, "GET", "/")
    finally:
        runtime.registry.request_hooks.remove(hook)
    assert response.status == 503 and "busy" in response.body
    assert ("Retry-After", "1") in response.headers
