"""redirect() judges its target as a browser reads the Location header (WHATWG URL parsing):
whatever a browser would take to another site needs {external: true} or is refused."""
from __future__ import annotations

import json
import os
import urllib.parse

import pytest

from tests.helpers import SITES, served

server = served(os.path.join(SITES, "headers_site"), "--workers", "1")

HOSTILE = [
    " //evil.example", " http://evil.example/", "  https://evil.example", "//evil.example", "//evil.example ",
    "/\\evil.example", "\\\\evil.example", "\\/evil.example", " \\\\evil.example", "/\\/evil.example",
    "http:evil.example", "https:/evil.example", "http:\\\\evil.example", "https:\\evil.example",
    "https://evil.example", "HTTPS://EVIL.example/x", "http://evil.example\\@HOST/", "http://HOST@evil.example/",
    "\t//evil.example", "\n//evil.example", "/\t/evil.example", "\x00//evil.example", "//evil.example\r",
    "javascript:alert(1)", " javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,x", "ftp://evil.example",
]
SAME_SITE = [
    ("/ok", "/ok"), (" /ok ", "/ok"), ("ok", "ok"), ("?x=1", "?x=1"), ("#top", "#top"),
    ("/a\\b?x=\\y", "/a/b?x=\\y"), ("http://HOST/x", "http://HOST/x"), (" http://HOST/x", "http://HOST/x"),
    ("/search?q=日本", "/search?q=%E6%97%A5%E6%9C%AC"),
]


def go(server, target, **options):
    host = f"{server.host}:{server.port}"
    to = target.replace("HOST", host)
    query = "to=" + urllib.parse.quote(json.dumps(to))
    if options:
        query += "&o=" + urllib.parse.quote(json.dumps(options))
    return server.get("/go?" + query), host


@pytest.mark.parametrize("target", HOSTILE)
def test_a_target_a_browser_would_take_off_site_is_refused(server, target):
    res, _ = go(server, target)
    assert res.status == 400 and res.header("Location") is None, (res.status, res.header("Location"))
    assert "refused: redirect:" in res.text


@pytest.mark.parametrize("target", [t for t in HOSTILE if "evil.example" in t and ("http" in t.lower())])
def test_external_true_allows_only_what_reads_as_a_full_url(server, target):
    res, host = go(server, target, external=True)
    location = res.header("Location")
    if res.status == 302:  # allowed: what is sent is what was judged, a full http(s) URL
        assert location.lower().startswith(("http://", "https://")) and "\\" not in location.split("?")[0]
        assert location == location.strip()
    else:
        assert res.status == 400 and location is None


@pytest.mark.parametrize("target", ["http:evil.example", "https:/evil.example", " //evil.example", "/\\evil.example"])
def test_ambiguous_or_scheme_relative_targets_are_refused_even_as_external(server, target):
    res, _ = go(server, target, external=True)
    assert res.status == 400 and res.header("Location") is None


@pytest.mark.parametrize("target, sent", SAME_SITE)
def test_same_site_targets_are_sent_as_a_browser_reads_them(server, target, sent):
    res, host = go(server, target)
    assert res.status == 302, res.text
    assert res.header("Location") == sent.replace("HOST", host)
