"""The auth family in process: cookie attributes per request, the bcrypt cost setting, caching."""
import json
import logging
import urllib.parse

import pytest

from bindings import auth
from bindings.context import Context, RequestInfo, ResponseEffects
from bindings import builtins
from bindings.registry import BindingError
from bindings.tokens import AUTH_COOKIE
from bindings.cookies import serialize_cookie
from runtime.data.busy import DatabaseBusyError

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def low_cost(monkeypatch):
    monkeypatch.setenv(auth.ROUNDS_ENV, "4")
    monkeypatch.setenv("PAGESVM_SECRET", "family-test-secret")


def make_ctx(data_dir, scheme="http", prefix="/", cookies=None, options=None):
    info = RequestInfo(method="POST", path="/", url="/", headers={}, cookies=dict(cookies or {}), query={},
                       body=None, host="example.com", scheme=scheme)
    return Context(request=info, response=ResponseEffects(prefix), data_dir=str(data_dir), site="",
                   options=dict(options or {}))


def sent_cookie(ctx) -> str:
    [cookie] = ctx.response.cookies
    return serialize_cookie(cookie["name"], cookie["value"], cookie["options"])


def test_family_registers_its_page_names_hook_and_javascript():
    REGISTRY = builtins.registry()  # a runtime's registry: every built-in family
    for name in ("signInWithPassword", "registerWithPassword", "signInWithToken", "signIn", "signOut"):
        assert REGISTRY.bindings[name].module == "bindings.auth"
    assert auth.load_auth in REGISTRY.request_hooks
    assert any(path.endswith("bindings/auth.js") for path in REGISTRY.js_files)


def test_cookie_is_secure_over_https_and_not_over_http(tmp_path):
    secure = make_ctx(tmp_path, scheme="https")
    auth.register_with_password(secure, "s@example.com", PASSWORD)
    assert "; Secure" in sent_cookie(secure)
    plain = make_ctx(tmp_path)
    auth.sign_in_with_password(plain, "s@example.com", PASSWORD)
    assert "Secure" not in sent_cookie(plain)


def test_cookie_value_is_encoded_once_and_reads_back_as_token_and_record(tmp_path):
    ctx = make_ctx(tmp_path)
    result = auth.register_with_password(ctx, "enc@example.com", PASSWORD)
    header = sent_cookie(ctx)
    value = header.split(";")[0].split("=", 1)[1]
    assert "%25" not in value  # not encoded twice
    assert json.loads(urllib.parse.unquote(value)) == {"token": result["token"], "record": result["record"]}


def test_cookie_path_follows_the_mount_prefix_for_set_and_clear(tmp_path):
    ctx = make_ctx(tmp_path, prefix="/shop")
    auth.register_with_password(ctx, "p@example.com", PASSWORD)
    assert "; Path=/shop" in sent_cookie(ctx)
    out = make_ctx(tmp_path, prefix="/shop")
    auth.sign_out(out)
    header = sent_cookie(out)
    assert header.startswith("pb_auth=;") and "Max-Age=0" in header and "; Path=/shop" in header


def test_sign_in_sets_ctx_auth_to_the_public_record_and_sign_out_clears_it(tmp_path):
    ctx = make_ctx(tmp_path)
    auth.register_with_password(ctx, "me@example.com", PASSWORD)
    assert ctx.auth["email"] == "me@example.com" and "tokenKey" not in ctx.auth and "password" not in ctx.auth
    assert ctx.response.drain()["auth"]["email"] == "me@example.com"  # JS receives it as an effect
    auth.sign_out(ctx)
    assert ctx.auth is None and ctx.response.drain()["auth"] is None


def test_request_hook_signs_in_from_cookie_and_clears_a_bad_one(tmp_path):
    first = make_ctx(tmp_path)
    auth.register_with_password(first, "hook@example.com", PASSWORD)
    value = urllib.parse.unquote(sent_cookie(first).split(";")[0].split("=", 1)[1])
    good = make_ctx(tmp_path, cookies={AUTH_COOKIE: value})
    auth.load_auth(good)
    assert good.auth["email"] == "hook@example.com" and good.response.cookies == []
    bad = make_ctx(tmp_path, scheme="https", cookies={AUTH_COOKIE: value[:-20]})
    auth.load_auth(bad)
    assert bad.auth is None
    assert bad.response.cookies[0]["options"] == {"httpOnly": True, "sameSite": "Lax", "secure": True,
                                                  "path": "/", "maxAge": 0}


def test_ttl_comes_from_the_serve_options(tmp_path):
    ctx = make_ctx(tmp_path, options={"auth_ttl": 600})
    auth.register_with_password(ctx, "ttl@example.com", PASSWORD)
    assert "Max-Age=600" in sent_cookie(ctx)


def test_only_the_users_collection_exists(tmp_path):
    with pytest.raises(BindingError, match="Unknown auth collection 'admins'"):
        auth.sign_in_with_password(make_ctx(tmp_path), "x@example.com", PASSWORD, {"collection": "admins"})


def test_non_text_credentials_are_refused_cleanly(tmp_path):
    with pytest.raises(BindingError, match="Email is required"):
        auth.register_with_password(make_ctx(tmp_path), {"email": "x"}, PASSWORD)
    with pytest.raises(BindingError, match="Invalid email or password"):
        auth.sign_in_with_password(make_ctx(tmp_path), None, None)


def test_one_store_per_data_directory(tmp_path):
    assert auth.backend(str(tmp_path)) is auth.backend(str(tmp_path / "." ))
    assert auth.backend(str(tmp_path / "other")) is not auth.backend(str(tmp_path))


@pytest.mark.parametrize("value, rounds", [("", 12), ("4", 4), ("10", 10), ("3", 12), ("40", 12), ("ten", 12)])
def test_bcrypt_cost_is_12_unless_a_valid_override_is_set(monkeypatch, caplog, value, rounds):
    monkeypatch.setenv(auth.ROUNDS_ENV, value)
    with caplog.at_level(logging.WARNING, logger="pagesvm.auth"):
        assert auth.bcrypt_rounds() == rounds
    assert ("ignoring" in caplog.text) == (value not in ("", "4", "10"))


def test_a_busy_database_while_checking_the_cookie_is_not_read_as_signed_out(tmp_path, monkeypatch):
    # Rendering the page anonymous would show a signed-in visitor a signed-out page (and forms that act
    # as nobody): the hook lets the busy error reach the pipeline, which answers 503 Retry-After.
    first = make_ctx(tmp_path)
    auth.register_with_password(first, "busy@example.com", PASSWORD)
    value = urllib.parse.unquote(sent_cookie(first).split(";")[0].split("=", 1)[1])

    def busy(raw, store):
        raise DatabaseBusyError("data.db")

    monkeypatch.setattr(auth.tokens, "auth_from_cookie", busy)
    ctx = make_ctx(tmp_path, cookies={AUTH_COOKIE: value})
    with pytest.raises(DatabaseBusyError):
        auth.load_auth(ctx)
    assert ctx.response.cookies == []  # the cookie is kept
