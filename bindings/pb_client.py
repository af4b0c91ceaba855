"""``pb()`` for pages (what `pocketpages-plugin-js-sdk` gives) and the auth plugin's helpers built on it.

PocketPages' plugin runs a synchronous fork of PocketBase's JS SDK that calls the server over HTTP. pagesvm
answers the same calls in-process: ``pb_client.js`` shapes the SDK's surface (collection services, authStore,
files, filter, ClientResponseError) and sends each SDK call here as ONE crossing, which builds a
``runtime.api.ApiRequest`` and hands it to ``runtime.api.Api``, the code that serves ``/api/`` over HTTP: same
routes, same rules, same answers. Like PocketBase's API, the API sees only the Authorization header; the
client's token is the request's own sign-in (the `pb_auth` cookie's, or that of a sign-in made during the
request: ``request_token``) or one an SDK call returned, never another request's.

The JavaScript names below only document what ``pb_client.js`` implements; the functions never run.
"""
from __future__ import annotations

import os

from runtime.api import Api, ApiRequest
from runtime.api.exchange import not_found

from .registry import Registry
from .tokens import AUTH_COOKIE, decode_auth_cookie

FAMILY = Registry()  # this family's names; bindings.builtins includes it in a runtime's registry
binding = FAMILY.binding
FAMILY.js_file(os.path.join(os.path.dirname(os.path.abspath(__file__)), "pb_client.js"))

_SESSION = True  # what the JavaScript half sends as `auth` for "the request's own sign-in"


def _headers(given) -> dict:
    if not isinstance(given, dict):
        return {}
    return {str(k).lower(): v if isinstance(v, str) else str(v) for k, v in given.items() if v is not None}


def request_token(ctx) -> str | None:
    """The token of the request's sign-in: one issued during the request, else the cookie's (load_auth verified
    it when it set ``ctx.auth``); None when signed out."""
    if ctx.auth is None:
        return None
    return ctx.auth_token or decode_auth_cookie(ctx.request.cookies.get(AUTH_COOKIE))


def send(ctx, method, path, query="", auth=None, body=None, headers=None):
    """One SDK call answered by the API: [status, content type, body text]."""
    path, query = str(path or ""), str(query or "")
    headers = _headers(headers)
    token = request_token(ctx) if auth is _SESSION else auth if isinstance(auth, str) else None
    if token and "authorization" not in headers:
        headers["authorization"] = token
    request = ApiRequest(str(method or "GET"), path, query, headers, remote_ip=ctx.request.remote_ip,
                         data=body if isinstance(body, dict) else {}, files={})
    api = ctx.options.get("api") or Api(ctx.data_dir, ctx.options)  # the server's own, with its request hooks
    response = api.handle(request) if api.owns(path) else None
    if response is None:  # no such route: PocketBase's own 404
        response = not_found().response()
    content_type = next((v for k, v in response.headers if k.lower() == "content-type"), "")
    return [response.status, content_type, response.body.decode("utf-8", "replace")]


def session(ctx):
    """The request's own token (`authStore.token` of ``pb({request})``), or ``""`` when signed out."""
    return request_token(ctx) or ""


FAMILY.add("pv_pb.send", send, hidden=True)
FAMILY.add("pv_pb.session", session, hidden=True)


# -- the js-sdk plugin ---------------------------------------------------------------------------
@binding("pb", js=True)
def pb(ctx, options=None):
    """A synchronous PocketBase SDK client served in-process: pb() anonymous, pb({request}) as the request's user."""


# -- the auth plugin's helpers (signInWithPassword, registerWithPassword, signIn, signOut: bindings/auth.py) --
@binding("createUser", js=True)
def createUser(ctx, email, password, options=None):
    """Create a user through pb() (and ask for its verification mail unless sendVerificationEmail is false)."""


@binding("createPasswordlessUser", js=True)
def createPasswordlessUser(ctx, email, options=None):
    """Create a user with a random password: {password, user}."""


@binding("createPaswordlessUser", js=True)
def createPaswordlessUser(ctx, email, options=None):
    """The auth plugin's own spelling of createPasswordlessUser."""


@binding("createAnonymousUser", js=True)
def createAnonymousUser(ctx, options=None):
    """Create an anonymous-NNNNNNNNNN@example.com user: {email, password, user}."""


@binding("signInAnonymously", js=True)
def signInAnonymously(ctx, options=None):
    """Create an anonymous user and sign in as them (sets the pb_auth cookie)."""


@binding("requestVerification", js=True)
def requestVerification(ctx, email, options=None):
    """Ask the API to mail a verification link to email."""


@binding("confirmVerification", js=True)
def confirmVerification(ctx, token, options=None):
    """Confirm a verification token through the API."""


@binding("requestOTP", js=True)
def requestOTP(ctx, email, options=None):
    """Create the user if needed and ask the API for a one-time password: {otpId}."""


@binding("signInWithOTP", js=True)
def signInWithOTP(ctx, otp_id, password, options=None):
    """Sign in with a one-time password through the API (sets the pb_auth cookie)."""


@binding("requestOAuth2Login", js=True)
def requestOAuth2Login(ctx, provider, options=None):
    """Start an OAuth2 login: remember the provider in a cookie, redirect to its auth URL."""


@binding("signInWithOAuth2", js=True)
def signInWithOAuth2(ctx, state, code, options=None, stored=None):
    """Finish an OAuth2 login through the API (sets the pb_auth cookie)."""
