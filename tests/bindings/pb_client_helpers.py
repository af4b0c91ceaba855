"""Shared by the pb() tests: a site served in-process (so routes registered here answer its pb() calls), and
fake API routes put in front of runtime/api's table for the duration of a module. They answer under paths of
their own (`/api/pbtest/...`, the collection `pbfake`) plus user sign-up under `users`, so the tests depend on
no route other helpers write (records, auth endpoints), only on `ApiRequest`/`Api`."""
from __future__ import annotations

import os
from contextlib import contextmanager

from runtime import create_app
from runtime.api import ApiError, ApiResponse
from runtime.api.exchange import not_found
from runtime.api.router import ROUTES, Route
from tests.helpers import request
from tests.http.test_mount import serve_in_thread

PASSWORD = "password123"
ITEMS = [{"id": f"item{n}", "collectionId": "pbfake_id", "collectionName": "pbfake", "title": f"t{n}"} for n in range(7)]


def _whoami(call):
    record = call.auth_record
    return ApiResponse.json(200, {"id": record.id if record is not None else None, "superuser": call.is_superuser,
                                  "authorization": call.request.header("authorization"),
                                  "query": call.request.args(), "custom": call.request.header("x-custom")})


def _echo(call):
    return ApiResponse.json(200, {"method": call.request.method, "data": call.request.data()})


def _list(call, collection=None):
    args = call.request.args()
    page, per_page = int(call.request.arg("page", "1")), int(call.request.arg("perPage", "30"))
    items = ITEMS[(page - 1) * per_page: page * per_page]
    seen = {k: v for k, v in args.items() if k not in ("page", "perPage")}
    skip = call.request.arg("skipTotal") in ("1", "true")
    return ApiResponse.json(200, {"page": page, "perPage": per_page, "totalItems": -1 if skip else len(ITEMS),
                                  "totalPages": -1 if skip else -(-len(ITEMS) // per_page), "items": items,
                                  "seen": seen})


def _one(call, id):
    found = next((item for item in ITEMS if item["id"] == id), None)
    if found is None:
        raise not_found()
    return ApiResponse.json(200, found)


def _create(call):
    data = call.request.data()
    if not data.get("title"):
        raise ApiError(400, "Failed to create record.", {"title": {"code": "validation_required",
                                                                   "message": "Cannot be blank."}})
    return ApiResponse.json(200, {"id": "new1", "collectionName": "pbfake", **data})


def _update(call, id):
    return ApiResponse.json(200, {**next(item for item in ITEMS if item["id"] == id), **call.request.data()})


def _delete(call, id):
    return ApiResponse.empty(204)


def _users(call):
    """A user's sign-up in `users` (what the auth plugin's createUser sends), made with the users module."""
    from bindings.auth import backend
    from bindings.users import AuthError, public_record

    data = call.request.data()
    try:
        record = backend(call.api.data_dir).collection("users").create(data.get("email", ""), data.get("password", ""))
    except AuthError as exc:
        raise ApiError(400, "Failed to create record.", {"email": {"code": "x", "message": exc.message}}) from None
    return ApiResponse.json(200, public_record(record))


def _auth_with_password(call):
    from bindings import tokens
    from bindings.auth import backend
    from bindings.users import AuthError, public_record

    data = call.request.data()
    users = backend(call.api.data_dir).collection("users")
    try:
        record = users.authenticate(data.get("identity", ""), data.get("password", ""))
    except AuthError:
        raise ApiError(400, "Failed to authenticate.") from None
    token = tokens.issue_token(users.collection, record["id"], record["tokenKey"], 3600)
    return ApiResponse.json(200, {"token": token, "record": public_record(record)})


FAKE = [
    ("GET", "/api/pbtest/whoami", _whoami),
    ("POST", "/api/pbtest/echo", _echo),
    ("GET", "/api/collections/pbfake/records", _list),
    ("GET", "/api/collections/pbfake/records/{id}", _one),
    ("POST", "/api/collections/pbfake/records", _create),
    ("PATCH", "/api/collections/pbfake/records/{id}", _update),
    ("DELETE", "/api/collections/pbfake/records/{id}", _delete),
    ("POST", "/api/collections/pbfake/auth-with-password", _auth_with_password),
    ("POST", "/api/collections/users/records", _users),
]


@contextmanager
def fake_routes():
    """The fake routes ahead of every other route, removed afterwards."""
    added = [Route(method, pattern, handler) for method, pattern, handler in FAKE]
    ROUTES.routes[0:0] = added
    try:
        yield
    finally:
        for route in added:
            ROUTES.routes.remove(route)


class Site:
    """A site served by an IOLoop in a thread of this process; ``get``/``post`` return tests.helpers.Response."""

    def __init__(self, port: int):
        self.port = port
        self.origin = f"http://127.0.0.1:{port}"

    def get(self, path, cookie=None):
        return request("127.0.0.1", self.port, "GET", path, cookies={"pb_auth": cookie} if cookie else None)

    def post(self, path, form=None, cookie=None):
        import urllib.parse

        headers = {"Origin": self.origin, "Content-Type": "application/x-www-form-urlencoded"}
        return request("127.0.0.1", self.port, "POST", path, urllib.parse.urlencode(form or {}), headers,
                       cookies={"pb_auth": cookie} if cookie else None)


@contextmanager
def serve_site(root, pages: dict, data_dir):
    for name, text in pages.items():
        path = os.path.join(root, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    old = os.environ.get("PAGESVM_BCRYPT_ROUNDS")
    os.environ["PAGESVM_BCRYPT_ROUNDS"] = "4"
    try:
        with fake_routes(), serve_in_thread(lambda: create_app(str(root), data_dir=str(data_dir))) as port:
            yield Site(port)
    finally:
        if old is None:
            os.environ.pop("PAGESVM_BCRYPT_ROUNDS", None)
        else:
            os.environ["PAGESVM_BCRYPT_ROUNDS"] = old


def pb_cookie(res) -> str | None:
    """The raw pb_auth value a response sets, or None."""
    for name, value in res.headers:
        if name.lower() == "set-cookie" and value.startswith("pb_auth="):
            return value.split(";")[0][len("pb_auth="):]
    return None
