"""The REST API over a real `pagesvm serve`: `/api/` answered before the pages with PocketBase's CORS,
preflights answered on a site without hook files, no cross-site refusal (the API reads no cookie),
an unknown API path left to the 404, and `--no-api` turning the whole API off."""
from __future__ import annotations

import json

import pytest

from tests.helpers import start_server, write_site


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return write_site(tmp_path_factory.mktemp("site"), {"index.ejs": "home"})


@pytest.fixture(scope="module")
def server(site, tmp_path_factory):
    running = start_server(site, data_dir=str(tmp_path_factory.mktemp("data")))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def no_api(site, tmp_path_factory):
    running = start_server(site, "--no-api", data_dir=str(tmp_path_factory.mktemp("data")))
    yield running
    running.stop()


def test_health_with_cors(server):
    answer = server.request("GET", "/api/health", headers={"Origin": "http://elsewhere.example"})
    assert answer.status == 200 and json.loads(answer.body)["message"] == "API is healthy."
    assert answer.header("Access-Control-Allow-Origin") == "*"
    assert server.request("GET", "/").body == b"home"


def test_a_preflight_is_answered_without_hook_files(server):
    answer = server.request("OPTIONS", "/api/health", headers={
        "Origin": "http://elsewhere.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,authorization"})
    assert answer.status == 204
    assert answer.header("Access-Control-Allow-Origin") == "*"
    assert answer.header("Access-Control-Allow-Headers") == "content-type,authorization"


def test_a_cross_site_call_with_cookies_reaches_the_api(server):
    answer = server.request("GET", "/api/health", cookies={"pb_auth": "x"},
                     headers={"Origin": "http://elsewhere.example", "Sec-Fetch-Site": "cross-site"})
    assert answer.status == 200


def test_an_unknown_api_path_is_not_found(server):
    assert server.request("GET", "/api/nothing-here").status == 404


def test_no_api_turns_it_off(no_api):
    assert no_api.request("GET", "/api/health").status == 404
    assert no_api.request("GET", "/").body == b"home"
