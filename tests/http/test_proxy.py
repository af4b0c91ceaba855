"""--proxy-headers / --forwarded-allow-ips: X-Forwarded-* believed only from trusted peers."""
from __future__ import annotations

import subprocess
import sys

from tests.helpers import SITES, wait_for

SITE = f"{SITES}/limits_site"
EXT = f"{SITES}/limits_ext.py"
FORWARDED = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}


def client(server, headers):
    return server.get("/client", headers=headers).json()


def test_forwarded_headers_are_ignored_without_proxy_headers(serve):
    server = serve(SITE, "--workers", "1", "--ext", EXT)
    assert client(server, FORWARDED) == {"ip": "127.0.0.1", "scheme": "http"}


def test_trusted_proxy_sets_client_ip_and_https_and_the_log_shows_the_client(serve):
    server = serve(SITE, "--workers", "1", "--ext", EXT, "--proxy-headers")
    assert client(server, FORWARDED) == {"ip": "203.0.113.7", "scheme": "https"}
    assert wait_for(lambda: "203.0.113.7 GET /client 200" in server.log)


def test_untrusted_peer_cannot_claim_another_address(serve):
    server = serve(SITE, "--workers", "1", "--ext", EXT, "--proxy-headers", "--forwarded-allow-ips", "10.0.0.0/8")
    assert client(server, FORWARDED) == {"ip": "127.0.0.1", "scheme": "http"}


def test_client_is_the_nearest_untrusted_hop_not_a_spoofed_leftmost_one(serve):
    server = serve(SITE, "--workers", "1", "--ext", EXT, "--proxy-headers", "--forwarded-allow-ips", "127.0.0.1,10.0.0.2")
    got = client(server, {"X-Forwarded-For": "6.6.6.6, 198.51.100.1, 10.0.0.2"})
    assert got["ip"] == "198.51.100.1"


def test_bogus_forwarded_proto_is_ignored(serve):
    server = serve(SITE, "--workers", "1", "--ext", EXT, "--proxy-headers")
    assert client(server, {"X-Forwarded-Proto": "gopher"})["scheme"] == "http"


def test_bad_allow_list_is_a_one_line_startup_error(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "runtime.serve.cli", "serve", SITE, "--port", "0", "--proxy-headers",
                           "--forwarded-allow-ips", "not-an-ip", "--data", str(tmp_path)],
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "pagesvm: error: --forwarded-allow-ips: 'not-an-ip' is not an IP address or network"]
