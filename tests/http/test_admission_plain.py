"""Admission and proxy trust (runtime/http/admission.py) as plain objects over fake requests,
handlers and streams: what is refused from the request head alone, whose X-Forwarded-* is
believed, how requests in flight are counted, when an unread answer closes its connection."""
from __future__ import annotations

import pytest
import tornado.ioloop
from tornado.httputil import HTTPHeaders

from runtime.http.admission import MAX_HEADER, Admission, ProxyTrust
from runtime.http.response import Refusal


def refusal(admission: Admission, request) -> tuple[int, str] | None:
    """(status, reason) the admission refuses ``request`` with, or None.

    The one place that knows how ``Admission.check`` reports a refusal: it raises ``Refusal``.
    """
    try:
        admission.check(request)
    except Refusal as e:
        return e.status, e.reason
    return None


class FakeRequest:
    """What admission reads and rewrites of a request: uri, headers, remote_ip, protocol."""

    def __init__(self, uri="/", headers=(), remote_ip="127.0.0.1", protocol="http"):
        self.uri, self.remote_ip, self.protocol = uri, remote_ip, protocol
        self.headers = HTTPHeaders()
        for name, value in headers:
            self.headers.add(name, value)


def head_size(request: FakeRequest) -> int:
    return len(request.uri) + sum(len(k) + len(v) + 4 for k, v in request.headers.get_all())


# -- head and body caps ------------------------------------------------------------------------------
def test_a_plain_request_is_admitted():
    assert refusal(Admission(), FakeRequest("/a?b=c", [("Host", "x"), ("Content-Length", "10")])) is None


def test_header_cap_counts_the_uri_and_every_header_line():
    request = FakeRequest("/" + "u" * 50, [("Host", "example.test"), ("X-Pad", "p" * 30), ("X-Pad", "q" * 30)])
    size = head_size(request)
    assert refusal(Admission(max_header=size), request) is None
    assert refusal(Admission(max_header=size - 1), request) == (431, "request headers too large")


def test_a_long_uri_alone_is_431():
    assert refusal(Admission(max_header=100), FakeRequest("/" + "x" * 100)) == (431, "request headers too large")


def test_default_header_cap_is_32_kib():
    assert MAX_HEADER == 32 * 1024
    admitted = FakeRequest("/", [("X-Big", "v" * (MAX_HEADER - 20))])
    assert refusal(Admission(), admitted) is None
    assert refusal(Admission(), FakeRequest("/", [("X-Big", "v" * MAX_HEADER)]))[0] == 431


@pytest.mark.parametrize("length, refused", [
    ("0", None), ("1000", None), ("1001", (413, "request body over 1000 bytes")),
    ("99999999999999999999", (413, "request body over 1000 bytes")),
    ("abc", (400, "bad Content-Length")), ("", (400, "bad Content-Length")), ("1.5", (400, "bad Content-Length")),
])
def test_body_cap_is_decided_from_content_length(length, refused):
    request = FakeRequest("/upload", [("Content-Length", length)])
    assert refusal(Admission(max_body=1000), request) == refused


def test_two_content_lengths_are_a_bad_content_length():
    request = FakeRequest("/", [("Content-Length", "5"), ("Content-Length", "5")])
    assert refusal(Admission(max_body=1000), request) == (400, "bad Content-Length")


def test_no_content_length_is_not_capped_here():
    # A chunked body has no declared length; the cap on what is read lives with the reader.
    request = FakeRequest("/", [("Transfer-Encoding", "chunked")])
    assert refusal(Admission(max_body=0), request) is None


def test_header_cap_is_checked_before_the_body_cap():
    request = FakeRequest("/" + "x" * 200, [("Content-Length", "5000")])
    assert refusal(Admission(max_body=10, max_header=100), request)[0] == 431


def test_check_applies_proxy_trust_first():
    proxy = ProxyTrust(enabled=True, allow="10.0.0.1")
    request = FakeRequest("/", [("X-Forwarded-For", "203.0.113.9"), ("X-Forwarded-Proto", "https")], "10.0.0.1")
    assert refusal(Admission(proxy=proxy), request) is None
    assert (request.remote_ip, request.protocol) == ("203.0.113.9", "https")


# -- proxy trust ------------------------------------------------------------------------------------
def forwarded(remote_ip: str, xff: str | None = None, proto: str | None = None) -> FakeRequest:
    headers = []
    if xff is not None:
        headers.append(("X-Forwarded-For", xff))
    if proto is not None:
        headers.append(("X-Forwarded-Proto", proto))
    return FakeRequest("/", headers, remote_ip)


def applied(proxy: ProxyTrust, request: FakeRequest) -> tuple[str, str]:
    proxy.apply(request)
    return request.remote_ip, request.protocol


def test_disabled_proxy_trust_changes_nothing():
    assert applied(ProxyTrust(False, "127.0.0.1"), forwarded("127.0.0.1", "1.2.3.4", "https")) == (
        "127.0.0.1", "http")


def test_headers_from_an_unlisted_peer_are_ignored():
    assert applied(ProxyTrust(True, "10.0.0.1"), forwarded("10.0.0.2", "1.2.3.4", "https")) == ("10.0.0.2", "http")


@pytest.mark.parametrize("xff, client", [
    ("1.2.3.4", "1.2.3.4"),
    ("1.2.3.4, 5.6.7.8", "5.6.7.8"),  # the nearest untrusted hop, not the leftmost (which the client wrote)
    ("1.2.3.4, 10.0.0.5", "1.2.3.4"),  # a trusted proxy in the chain is skipped
    ("spoofed, 1.2.3.4", "1.2.3.4"),
    ("1.2.3.4, not-an-ip", "10.0.0.1"),  # a malformed nearest entry: believe nothing
    ("1.2.3.4, not-an-ip, 10.0.0.5", "10.0.0.5"),
    ("", "10.0.0.1"),
    (", ,", "10.0.0.1"),
    ("2001:db8::1", "2001:db8::1"),
])
def test_client_is_the_nearest_untrusted_hop(xff, client):
    proxy = ProxyTrust(True, "10.0.0.0/24")
    assert applied(proxy, forwarded("10.0.0.1", xff))[0] == client


def test_all_trusted_chain_ends_at_its_leftmost_hop():
    proxy = ProxyTrust(True, "10.0.0.0/24")
    assert applied(proxy, forwarded("10.0.0.1", "10.0.0.7, 10.0.0.8"))[0] == "10.0.0.7"


@pytest.mark.parametrize("proto, scheme", [
    ("https", "https"), ("HTTPS", "https"), ("http", "http"), ("http, https", "https"), ("https, http", "http"),
    ("ftp", "http"), ("", "http"), (None, "http"),
])
def test_forwarded_proto_takes_its_last_value_when_it_is_http_or_https(proto, scheme):
    proxy = ProxyTrust(True, "127.0.0.1")
    assert applied(proxy, forwarded("127.0.0.1", None, proto)) == ("127.0.0.1", scheme)


@pytest.mark.parametrize("allow, ip, trusted", [
    ("127.0.0.1", "127.0.0.1", True),
    ("127.0.0.1", "127.0.0.2", False),
    ("10.0.0.0/8, 192.168.1.1", "10.200.3.4", True),
    ("10.0.0.0/8, 192.168.1.1", "192.168.1.1", True),
    ("10.0.0.0/8, 192.168.1.1", "192.168.1.2", False),
    ("10.0.0.1/8", "10.9.9.9", True),  # host bits allowed, as the option is written by hand
    ("*", "203.0.113.1", True),
    ("*", "2001:db8::1", True),
    ("::1", "::1", True),
    ("127.0.0.1", "not an ip", False),
    ("127.0.0.1", "", False),
    ("", "127.0.0.1", False),
])
def test_trusts(allow, ip, trusted):
    assert ProxyTrust(True, allow).trusts(ip) is trusted


@pytest.mark.parametrize("allow", ["localhost", "10.0.0.0/33", "1.2.3.4, nope"])
def test_a_bad_allow_list_is_refused_naming_the_item(allow):
    with pytest.raises(ValueError, match="--forwarded-allow-ips: '(localhost|10.0.0.0/33|nope)'"):
        ProxyTrust(True, allow)


# -- requests in flight -------------------------------------------------------------------------------
class Handler:
    """Any object a request's life hangs on (an Exchange or a RequestHandler)."""


def test_in_flight_counts_entered_handlers_until_they_leave():
    admission = Admission()
    first, second = Handler(), Handler()
    admission.enter(first)
    admission.enter(second)
    assert admission.in_flight == 2
    admission.leave(first)
    assert admission.in_flight == 1
    admission.leave(second)
    assert admission.in_flight == 0


def test_leaving_twice_or_without_entering_counts_once_or_never():
    admission = Admission()
    handler = Handler()
    admission.leave(handler)  # a connection closed before the request was admitted
    assert admission.in_flight == 0
    admission.enter(handler)
    admission.leave(handler)
    admission.leave(handler)  # finish and connection-close both report
    assert admission.in_flight == 0


def test_a_refused_request_still_leaves():
    admission = Admission(max_body=1)
    handler = Handler()
    admission.enter(handler)
    assert refusal(admission, FakeRequest("/", [("Content-Length", "2")]))[0] == 413
    assert admission.in_flight == 1
    admission.leave(handler)
    assert admission.in_flight == 0


# -- an answer the client does not take -----------------------------------------------------------------
class FakeStream:
    """A stream with an answer still buffered: ``sent`` is Tornado's count of bytes written out."""

    def __init__(self, writing=True, closed=False):
        self._writing, self._closed, self._total_write_done_index = writing, closed, 0
        self.close_calls = 0

    def writing(self):
        return self._writing

    def closed(self):
        return self._closed

    def close(self):
        self.close_calls += 1
        self._closed = True


class FakeLoop:
    def __init__(self):
        self.timers = []

    def call_later(self, delay, callback):
        self.timers.append((delay, callback))

    def fire(self):
        delay, callback = self.timers.pop(0)
        callback()
        return delay


class Connection:
    def __init__(self, stream):
        self.stream = stream


@pytest.fixture
def loop(monkeypatch):
    fake = FakeLoop()
    monkeypatch.setattr(tornado.ioloop.IOLoop, "current", staticmethod(lambda *a, **k: fake))
    return fake


@pytest.mark.parametrize("idle_timeout, stream", [
    (None, FakeStream()),  # no --idle-timeout
    (5, FakeStream(writing=False)),  # the answer left in the write call itself
    (5, FakeStream(closed=True)),
    (5, None),
])
def test_no_watch_when_nothing_is_left_to_take(loop, idle_timeout, stream):
    Admission(idle_timeout=idle_timeout).watch_answer(Connection(stream) if stream else object())
    assert loop.timers == []


def test_an_answer_not_taken_for_the_timeout_closes_the_connection(loop):
    stream = FakeStream()
    Admission(idle_timeout=5).watch_answer(Connection(stream))
    assert loop.fire() == 5.0
    assert stream.close_calls == 1 and loop.timers == []


def test_a_slow_reader_that_keeps_taking_bytes_is_left_alone(loop):
    stream = FakeStream()
    Admission(idle_timeout=2).watch_answer(Connection(stream))
    for taken in (100, 250, 900):
        stream._total_write_done_index = taken
        loop.fire()
        assert stream.close_calls == 0 and len(loop.timers) == 1
    loop.fire()  # a period with no progress
    assert stream.close_calls == 1


def test_the_watch_ends_when_the_answer_is_written_or_the_stream_closed(loop):
    done, gone = FakeStream(), FakeStream()
    admission = Admission(idle_timeout=1)
    admission.watch_answer(Connection(done))
    admission.watch_answer(Connection(gone))
    done._writing = False
    gone._closed = True
    loop.fire()
    loop.fire()
    assert loop.timers == [] and done.close_calls == gone.close_calls == 0
