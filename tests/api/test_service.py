"""The API's one catch and its table, without sockets: routes found by method and path, errors shaped
as PocketBase's, a bug answered 500 without taking the service down, the token read from the header."""
from __future__ import annotations

import json

import pytest

from runtime.api import Api, ApiError, ApiRequest, ApiResponse
from runtime.api.router import ROUTES, RouteTable, compile_pattern


@pytest.fixture
def api(tmp_path):
    return Api(str(tmp_path / "pb_data"))


def test_health_answers_as_pocketbase(api):
    answer = api.handle(ApiRequest("GET", "/api/health"))
    assert (answer.status, json.loads(answer.body)) == (200, {"message": "API is healthy.", "code": 200, "data": {}})


def test_head_is_answered_by_the_get_route_without_a_body(api):
    answer = api.handle(ApiRequest("HEAD", "/api/health"))
    assert (answer.status, answer.body) == (200, b"")


def test_an_unknown_path_or_method_is_not_the_apis(api):
    assert api.handle(ApiRequest("GET", "/api/nothing-here")) is None
    assert api.handle(ApiRequest("DELETE", "/api/health")) is None


def test_patterns_take_one_segment_or_the_rest():
    one = compile_pattern("/api/collections/{collection}/records/{id}")
    assert one.fullmatch("/api/collections/posts/records/abc").groupdict() == {"collection": "posts", "id": "abc"}
    assert one.fullmatch("/api/collections/posts/records/abc/def") is None
    rest = compile_pattern("/api/files/{path...}")
    assert rest.fullmatch("/api/files/a/b/c.png").group("path") == "a/b/c.png"


def test_errors_and_bugs_are_answered_in_one_place(api, monkeypatch, caplog):
    table = RouteTable()

    @table.route("GET", "/api/refused/{what}")
    def refused(call, what):
        raise ApiError(403, f"no {what}", {"field": {"code": "x"}})

    @table.route("GET", "/api/broken")
    def broken(call):
        raise KeyError("a bug")

    monkeypatch.setattr(ROUTES, "routes", ROUTES.routes + table.routes)
    answer = api.handle(ApiRequest("GET", "/api/refused/entry"))
    assert (answer.status, json.loads(answer.body)) == (403, {"data": {"field": {"code": "x"}}, "message": "no entry",
                                                              "status": 403})
    answer = api.handle(ApiRequest("GET", "/api/broken"))
    assert answer.status == 500 and json.loads(answer.body)["message"].startswith("Something went wrong")
    assert "API GET /api/broken failed" in caplog.text
    assert api.handle(ApiRequest("GET", "/api/health")).status == 200  # the service goes on


def test_a_request_body_is_read_once_whatever_its_kind():
    as_json = ApiRequest("POST", "/api/x", body=b'{"a": 1}', content_type="application/json")
    assert as_json.data() == {"a": 1} and as_json.files() == {}
    form = ApiRequest("POST", "/api/x", body=b"a=1&a=2&b=", content_type="application/x-www-form-urlencoded")
    assert form.data() == {"a": ["1", "2"], "b": ""}
    boundary = "XyZ"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"@jsonPayload\"\r\n\r\n{{\"title\": \"t\"}}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"doc\"; filename=\"a.txt\"\r\n"
            f"Content-Type: text/plain\r\n\r\nhello\r\n--{boundary}--\r\n").encode()
    multi = ApiRequest("POST", "/api/x", body=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert multi.data() == {"title": "t"}
    (upload,) = multi.files()["doc"]
    assert (upload.filename, upload.content_type, upload.content) == ("a.txt", "text/plain", b"hello")
    given = ApiRequest("POST", "/api/x", data={"a": 1})  # pb() in a page: parsed already
    assert given.data() == {"a": 1} and given.files() == {}


@pytest.mark.parametrize("body, kind", [(b"{nope", "application/json"), (b"[1]", "application/json"),
                                        (b"--b\r\nbroken", "multipart/form-data; boundary=b")])
def test_an_unreadable_body_is_a_400(body, kind):
    with pytest.raises(ApiError) as caught:
        ApiRequest("POST", "/api/x", body=body, content_type=kind).data()
    assert caught.value.status == 400


def test_the_auth_header_signs_in_and_a_cookie_never_does(api):
    from runtime.data.process import store_for
    from runtime.data.tokens import issue_token
    from runtime.api.service import ApiCall

    store = store_for(api.data_dir)
    user = store.new_record("users", {"email": "a@example.com", "password": "password123"})
    store.save(user)
    collection = store.find_collection_by_name_or_id("users")
    token = issue_token(collection, user.id, user.token_key(), 60)
    for header in (token, f"Bearer {token}", f"bearer  {token}"):
        call = ApiCall(api, ApiRequest("GET", "/api/x", headers={"Authorization": header}))
        assert call.auth_record.id == user.id and not call.is_superuser
    cookie = ApiCall(api, ApiRequest("GET", "/api/x", headers={"Cookie": f"pb_auth={token}"}))
    assert cookie.auth is None
    assert ApiCall(api, ApiRequest("GET", "/api/x", headers={"Authorization": token[:-2] + "xx"})).auth is None
    assert isinstance(ApiResponse.json(200, {"a": 1}).value(), dict)
