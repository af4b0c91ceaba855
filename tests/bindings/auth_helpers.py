"""Shared by the auth tests: the auth_seed site on a real server, and cookies carried by hand."""
from __future__ import annotations

import json
import os
import urllib.parse

from bindings.users import INVALID_LOGIN  # noqa: F401 - re-exported for the tests
from tests.helpers import ROOT, Response, start_server

SITE = os.path.join(ROOT, "tests", "sites", "auth_seed")
PROBE = os.path.join(ROOT, "tests", "sites", "auth_ext", "auth_probe.py")
SECRET = "auth-tests-server-secret-7f3a9c1e5b"
# A low bcrypt cost keeps the suite fast; one test checks the production default (12) on its own.
ENV = {"PAGESVM_SECRET": SECRET, "PAGESVM_BCRYPT_ROUNDS": "4"}
PASSWORD = "correct horse battery"


def prepare_data(data_dir, secret: str = SECRET, duration: int = 7 * 86400) -> None:
    """data.db with the `users` collection's token secret and lifetime set to known values (issue 14: tokens
    are signed with the collection's secret, not PAGESVM_SECRET; 7 days was pagesvm's old default lifetime)."""
    from runtime.data.collections import save_collection
    from runtime.data.db import Database
    from runtime.data.store import DataStore

    db = Database.open(str(data_dir))
    try:
        users = DataStore(db).find_collection_by_name_or_id("users")
        users.options["authToken"] = {"secret": secret, "duration": duration}
        save_collection(db, users)
    finally:
        db.close()


def forge_token(user: dict, secret: str = SECRET, ttl: int = 3600) -> str:
    """A token for `user` signed as pagesvm and PocketBase sign: tokenKey + the collection's secret."""
    from bindings import tokens

    collection = type("Users", (), {"id": "_pb_users_auth_", "options": {"authToken": {"secret": secret}}})()
    return tokens.issue_token(collection, user["id"], user["tokenKey"], ttl)


def start(data_dir, *flags, env=None):
    prepare_data(data_dir)
    return start_server(SITE, "--ext", PROBE, *flags, data_dir=str(data_dir), env={**ENV, **(env or {})})


def set_cookies(res: Response) -> dict[str, dict]:
    """Set-Cookie headers by name: {"value": raw value, attribute (lower-case): value or True}."""
    found = {}
    for header in res.header_all("Set-Cookie"):
        first, *attrs = [part.strip() for part in header.split(";")]
        name, _, value = first.partition("=")
        cookie = {"value": value}
        for attr in attrs:
            key, eq, val = attr.partition("=")
            cookie[key.lower()] = val if eq else True
        found[name] = cookie
    return found


def auth_cookie(res: Response) -> str:
    """The raw pb_auth value a browser would store from this response."""
    cookie = set_cookies(res).get("pb_auth")
    assert cookie is not None, f"no pb_auth cookie in {res.headers}"
    return cookie["value"]


def cookie_json(raw: str) -> dict:
    """What the PocketBase JS SDK reads: decodeURIComponent, then JSON.parse."""
    return json.loads(urllib.parse.unquote(raw))


def register(server, email, password=PASSWORD) -> Response:
    return server.post("/register", form={"email": email, "password": password})


def login(server, email, password=PASSWORD) -> Response:
    return server.post("/login", form={"email": email, "password": password})


def whoami(server, cookie: str | None = None) -> tuple[Response, dict]:
    res = server.get("/whoami", cookies={"pb_auth": cookie} if cookie is not None else None)
    assert res.status == 200, res.text
    return res, res.json()


def assert_cleared(res: Response, path: str = "/") -> None:
    cookie = set_cookies(res).get("pb_auth")
    assert cookie is not None, "the bad cookie was not cleared"
    assert cookie["value"] == "" and cookie["max-age"] == "0" and cookie["path"] == path
    assert cookie.get("httponly") is True and cookie.get("samesite") == "Lax"
