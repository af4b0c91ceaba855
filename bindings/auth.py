"""The auth family: `request.auth` from the `pb_auth` cookie, and sign-in/out for pages.

The cookie's record is display data only: every request loads the user from the
database by the token's id. A cookie that does not verify, for whatever reason,
reads as signed out and is cleared; it never fails the request.
"""
from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from copy import deepcopy

from bindings import tokens, users
from bindings.registry import BindingError, Registry
from bindings.users import BCRYPT_ROUNDS, COLLECTION_NAME, AuthError, UserStore, public_record, to_dict
from runtime.data.busy import DatabaseBusyError
from runtime.data.db import NotFoundError
from runtime.data.process import store_for

FAMILY = Registry()  # this family's names; bindings.builtins includes it in a runtime's registry
binding, js_file, on_request = FAMILY.binding, FAMILY.js_file, FAMILY.on_request

log = logging.getLogger("pagesvm.auth")

# Test suites may lower the bcrypt cost with this variable; production keeps BCRYPT_ROUNDS.
ROUNDS_ENV = "PAGESVM_BCRYPT_ROUNDS"
INVALID_TOKEN = "Invalid or expired token."
NO_RECORD = "No auth record found."

js_file(os.path.join(os.path.dirname(os.path.abspath(__file__)), "auth.js"))


class _Backend:
    """The data.db of one data directory (the process's shared DataStore) and its auth collections."""

    def __init__(self, data_dir: str):
        self.data_dir = data_dir
        self.rounds = bcrypt_rounds()
        self.store = store_for(data_dir)
        # Made now, so that the first unknown email is no slower than any other sign-in.
        users.dummy_hash(self.rounds)
        self.signed_in: dict = {}  # token → (database mark, expiry, public record, its nested fields): load_auth's

    def mark(self):
        """What tells that data.db may have changed since: this connection's own writes (`total_changes`) and
        other connections' commits (`PRAGMA data_version`); None inside a transaction, where a rollback would
        undo a write without a trace in either (as runtime.data.collections.read_collection does)."""
        db = self.store.db
        conn = db.conn
        if conn.in_transaction:
            return None
        return conn.total_changes, db.execute("PRAGMA data_version").fetchone()[0]

    def collection(self, name: str) -> UserStore:
        """The users of the auth collection `name` (by name or id), read afresh: a migration or another
        worker may have changed its options (identity fields, secret) since the last sign-in."""
        try:
            return UserStore(self.data_dir, self.rounds, store=self.store, collection=name)
        except NotFoundError:
            raise BindingError(f"Unknown auth collection {name!r}.", 400) from None
        except AuthError as exc:
            raise BindingError(exc.message, exc.status) from None


_backends: dict[tuple, _Backend] = {}
_lock = threading.Lock()


def bcrypt_rounds() -> int:
    """BCRYPT_ROUNDS unless $PAGESVM_BCRYPT_ROUNDS names another valid cost (4-31)."""
    raw = os.environ.get(ROUNDS_ENV, "").strip()
    if not raw:
        return BCRYPT_ROUNDS
    if raw.isdigit() and 4 <= int(raw) <= 31:
        return int(raw)
    log.warning("ignoring %s=%r (not a number from 4 to 31); using %d", ROUNDS_ENV, raw, BCRYPT_ROUNDS)
    return BCRYPT_ROUNDS


def backend(data_dir: str) -> _Backend:
    key = (os.path.abspath(data_dir), os.getpid())  # never a connection made before a fork
    found = _backends.get(key)
    if found is None:
        with _lock:
            found = _backends.get(key) or _backends.setdefault(key, _Backend(key[0]))
    return found


def _ttl(ctx, collection) -> int:
    return tokens.auth_duration(collection, ctx.options.get("auth_ttl"))


def _cookie_options(ctx) -> dict:
    return {"httpOnly": True, "sameSite": "Lax", "secure": ctx.request.secure}


def _text(value) -> str:
    """A form value as text: numbers as written, anything else (objects, null) as empty."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return ""


# -- every request ---------------------------------------------------------------------
# While data.db has not changed (Backend.mark), a token that verified stands for the same user and record until
# it expires: the user's row, its tokenKey and the collection's secret are all in data.db, so a change to any of
# them (a new password, a deletion, "sign out everywhere") is seen by the very next request. The record is kept
# as a copy and each request gets its own (Python on_request hooks may change ctx.auth).
_SIGNED_IN_MAX = 1024


def _fresh(public: dict, nested: tuple) -> dict:
    out = dict(public)
    for name in nested:  # a json or multiple-value field: its list or object copied too
        out[name] = deepcopy(out[name])
    return out


@on_request
def load_auth(ctx) -> None:
    """Sign the request in from its `pb_auth` cookie, or clear a cookie that does not verify."""
    raw = ctx.request.cookies.get(tokens.AUTH_COOKIE)
    if raw is None:
        return
    try:
        found = backend(ctx.data_dir)
    except (sqlite3.Error, OSError, RuntimeError) as exc:  # not the cookie's fault: keep it
        log.error("cannot check the sign-in cookie: %s: %s", type(exc).__name__, exc)
        return
    try:
        mark = found.mark()
        token = tokens.decode_auth_cookie(raw)
        known = found.signed_in.get(token)
        if known is not None and known[0] == mark and mark is not None and known[1] > time.time():
            ctx.auth = _fresh(known[2], known[3])
            return
        verified = tokens.auth_from_cookie(raw, found.store)
    except DatabaseBusyError:  # held by another process: a 503 to retry, never a page shown signed out
        raise
    except (sqlite3.Error, OSError) as exc:  # the database failed, not the cookie: keep it
        # RuntimeError is not caught here: RecursionError is one, and a cookie can cause it.
        log.error("cannot check the sign-in cookie: %s: %s", type(exc).__name__, exc)
        return
    if verified is None:
        ctx.response.clear_cookie(tokens.AUTH_COOKIE, **_cookie_options(ctx))
        return
    ctx.auth = public = public_record(to_dict(verified[1]))  # its token is read from the cookie again only if pb() asks
    expiry = tokens.verified_until(token)
    if mark is not None and expiry is not None:  # None: a token checked on every use (nbf or iat)
        if len(found.signed_in) >= _SIGNED_IN_MAX:
            found.signed_in.clear()
        nested = tuple(k for k, v in public.items() if isinstance(v, (list, dict)))
        found.signed_in[token] = (mark, expiry, _fresh(public, nested), nested)


# -- the page API -------------------------------------------------------------------------
def _sign_in(ctx, collection, record: dict, token: str | None = None) -> dict:
    """Set the cookie and `request.auth` for a user loaded from the database."""
    ttl = _ttl(ctx, collection)
    token = token or tokens.issue_token(collection, record["id"], record["tokenKey"], ttl)
    public = public_record(record)
    value = tokens.auth_cookie_json(token, public)
    ctx.response.set_cookie(tokens.AUTH_COOKIE, value, maxAge=ttl, **_cookie_options(ctx))
    ctx.auth, ctx.auth_token = public, token
    return {"token": token, "record": public}


def _with_password(ctx, options, act):
    """Sign in the user ``act(users)`` finds or makes; its refusal becomes the page's message."""
    name = options.get("collection", COLLECTION_NAME) if isinstance(options, dict) else COLLECTION_NAME
    found = backend(ctx.data_dir).collection(name if isinstance(name, str) and name else COLLECTION_NAME)
    try:
        record = act(found)
    except AuthError as exc:
        raise BindingError(exc.message, exc.status) from None
    return _sign_in(ctx, found.collection, record)


@binding("signInWithPassword")
def sign_in_with_password(ctx, email=None, password=None, options=None):
    """Check an identity (email, or the collection's other identity fields) and password; one message
    for every failure. `options.collection` names any auth collection, `users` by default."""
    return _with_password(ctx, options, lambda found: found.authenticate(_text(email), _text(password)))


@binding("registerWithPassword")
def register_with_password(ctx, email=None, password=None, options=None):
    """Create a user and sign them in; a refusal's message is fit to show on the page."""
    return _with_password(ctx, options, lambda found: found.create(_text(email), _text(password)))


@binding("signInWithToken")
def sign_in_with_token(ctx, token=None):
    """Sign in with a token of this data.db (from pagesvm or PocketBase) that is still valid."""
    found = tokens.verify_token(token, backend(ctx.data_dir).store)
    if found is None:
        raise BindingError(INVALID_TOKEN, 401)
    return _sign_in(ctx, found[0], to_dict(found[1]), token)


@binding("signIn")
def sign_in(ctx, auth_data=None):
    """Sign in from `{token, record}`; the token decides who, the record is ignored."""
    if not isinstance(auth_data, dict) or not auth_data.get("record") and not auth_data.get("token"):
        raise BindingError(NO_RECORD, 400)
    return sign_in_with_token(ctx, auth_data.get("token"))


@binding("signOut")
def sign_out(ctx):
    """Clear the cookie; `request.auth` is undefined for the rest of this request too."""
    ctx.response.clear_cookie(tokens.AUTH_COOKIE, **_cookie_options(ctx))
    ctx.auth, ctx.auth_token = None, None
