"""One access log line per request: method, path, status, ms; never cookie or Authorization values."""
import os
import re

from tests.helpers import SITES, wait_for

ONE = ("--workers", "1")  # one interpreter: fast start, deterministic request order

LINE = re.compile(r"pagesvm\.access.*\b(GET|POST) (\S+) (\d{3}) (\d+(?:\.\d+)?)ms$")


def _lines(server):
    return [m.groups() for m in map(LINE.search, server.lines) if m]


def test_each_request_logs_method_path_status_and_time(serve):
    server = serve(os.path.join(SITES, "pp_routes"), *ONE)
    server.get("/about")
    server.get("/nope")
    server.post("/style.css", form={"a": "1"})
    server.get("/%2e%2e/etc/passwd")
    assert wait_for(lambda: len(_lines(server)) >= 4)
    got = [(m, p, s) for m, p, s, _ in _lines(server)]
    assert got == [("GET", "/about", "200"), ("GET", "/nope", "404"), ("POST", "/style.css", "405"),
                   ("GET", "/%2e%2e/etc/passwd", "400")]
    assert all(float(ms) >= 0 for *_, ms in _lines(server))


def test_secrets_in_cookies_headers_and_query_never_reach_the_log(serve):
    server = serve(os.path.join(SITES, "pp_routes"), *ONE, "--dev")
    server.get("/about?token=QUERYSECRET", cookies={"pb_auth": "COOKIESECRET", "other": "OTHERSECRET"},
               headers={"Authorization": "Bearer AUTHSECRET", "X-Api-Key": "KEYSECRET"})
    server.get("/missing-page", cookies={"pb_auth": "COOKIESECRET2"}, headers={"Authorization": "Basic AUTHSECRET2"})
    assert wait_for(lambda: len(_lines(server)) >= 2)
    log = server.log
    for secret in ("QUERYSECRET", "COOKIESECRET", "OTHERSECRET", "AUTHSECRET", "KEYSECRET", "Bearer", "Basic"):
        assert secret not in log
