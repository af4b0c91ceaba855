"""The OAuth2 providers pagesvm speaks to, and the three exchanges with one: the authorization URL a sign-in
page sends the user to, the code traded for a token, the token traded for the user.

Written to answer as PocketBase 0.40 (golang.org/x/oauth2 underneath) does, since a page or the official SDK
may compare them: the authorization URL's query in sorted order, `+` for spaces; the token request a POST form
that first sends the client's credentials as HTTP Basic (each part query-escaped) and, when the provider
refuses that, once more as `client_id`/`client_secret` form fields, remembering per token URL which way
worked; a token answer read as JSON, or as a form when the provider says so; the user info fetched with
the token as `Bearer`. Providers: the generic OpenID Connect ones (`oidc`, `oidc2`, `oidc3`, whose URLs the
collection's options give) and `google`, which shares their user mapping with fixed URLs. Others are not
known here: auth-methods leaves them out, as the binary leaves out a provider it cannot set up.
"""
from __future__ import annotations

import base64
import datetime
import hashlib
import json
import urllib.parse

urllib3 = None  # imported by the first exchange (_pool): a worker that signs no one in with OAuth2 holds none of it
TIMEOUT = (10.0, 30.0)  # connect, read seconds: the binary gives the whole exchange 30 seconds
_POOL = None  # the connection pool, made with urllib3 by _pool
_MAX_BODY = 1 << 20  # golang.org/x/oauth2 reads at most 1 MiB of a token answer
_STYLE: dict = {}  # token URL -> "header" | "params": how the provider took the credentials last time

_OIDC_LOGO = ('<svg xmlns="http://www.w3.org/2000/svg" width="93" height="84" fill="none"><path fill="#ccc" '
              'd="M83.4 32.9c-8.7-5.5-21-8.8-34.3-8.8C22 24 .4 37.5.4 54 .4 69.3 18.5 81.8 42 84v-8.7c-15.9-2-27.8-'
              '10.7-27.8-21 0-11.9 15.5-21.6 34.8-21.6 9.5 0 18.2 2.4 24.5 6.3l-9 5.6h27.9V27.3z"/><path fill="#ff6200" '
              'd="M42 9.2V84l14-8.7V.2z"/></svg>')
_GOOGLE_LOGO = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="256" height="262" preserveAspectRatio="xMidYMid"><path '
    'fill="#4285f4" d="M255.9 133.5c0-10.8-.9-18.6-2.8-26.7H130.6v48.4h71.9a64 64 0 0 1-26.7 42.4l-.2 1.6 38.7 30 '
    '2.7.3c24.7-22.8 38.9-56.3 38.9-96"/><path fill="#34a853" d="M130.6 261.1c35.2 0 64.8-11.6 86.4-31.6l-41.2-32a76 '
    '76 0 0 1-45.2 13.1 79 79 0 0 1-74.3-54.2l-1.5.1-40.3 31.2-.6 1.5A131 131 0 0 0 130.6 261"/><path '
    'fill="#fbbc05" d="M56.3 156.4a80 80 0 0 1-.2-51.7V103L15.3 71.3l-1.4.6a131 131 0 0 0 0 117.3z"/><path '
    'fill="#eb4335" d="M130.6 50.5c24.5 0 41 10.6 50.4 19.4L218 34c-22.8-21-52.2-34-87.4-34C79.5 0 35.4 29.3 13.9 '
    '72l42.2 32.7a79 79 0 0 1 74.5-54.2"/></svg>')
_OIDC = {"displayName": "OIDC", "logo": _OIDC_LOGO, "pkce": True, "scopes": ["openid", "email", "profile"],
         "authURL": "", "tokenURL": "", "userInfoURL": "", "username": True, "loose_verified": True}
KNOWN = {
    "oidc": _OIDC, "oidc2": _OIDC, "oidc3": _OIDC,
    "google": {"displayName": "Google", "logo": _GOOGLE_LOGO, "pkce": True,
               "scopes": ["https://www.googleapis.com/auth/userinfo.profile",
                          "https://www.googleapis.com/auth/userinfo.email"],
               "authURL": "https://accounts.google.com/o/oauth2/v2/auth",
               "tokenURL": "https://oauth2.googleapis.com/token",
               "userInfoURL": "https://www.googleapis.com/oauth2/v3/userinfo", "username": False,
               "loose_verified": False},
}


class OAuth2Failure(Exception):
    """The provider refused, answered nonsense, or could not be reached (the text is for the log only)."""


class Provider:
    """One configured provider: its defaults under the collection's `oauth2.providers[]` entry."""

    def __init__(self, config: dict):
        name = config.get("name") or ""
        base = KNOWN[name]  # KeyError: a provider pagesvm does not know
        self.name, self.base = name, base
        self.client_id, self.client_secret = config.get("clientId") or "", config.get("clientSecret") or ""
        self.auth_url = config.get("authURL") or base["authURL"]
        self.token_url = config.get("tokenURL") or base["tokenURL"]
        self.user_info_url = config.get("userInfoURL") or base["userInfoURL"]
        self.display_name = config.get("displayName") or base["displayName"]
        self.pkce = base["pkce"] if config.get("pkce") is None else bool(config["pkce"])
        self.extra = config.get("extra") or {}
        self.logo, self.scopes = base["logo"], base["scopes"]

    # -- the authorization URL --------------------------------------------------------------------------------
    def auth_url_for(self, state: str, extra: dict, redirect_url: str = "") -> str:
        """The provider's authorization URL with Go's query: sorted keys, form escaping."""
        query = {"client_id": self.client_id, "response_type": "code", **extra}
        if redirect_url:
            query["redirect_uri"] = redirect_url
        if self.scopes:
            query["scope"] = " ".join(self.scopes)
        if state:
            query["state"] = state
        joiner = "&" if "?" in self.auth_url else "?"
        return self.auth_url + joiner + urllib.parse.urlencode(sorted(query.items()))

    # -- code -> token ------------------------------------------------------------------------------------------
    def fetch_token(self, code: str, code_verifier: str, redirect_url: str) -> dict:
        """The token answer ({access_token, token_type, refresh_token, expiry, raw}) for `code`."""
        form = {"grant_type": "authorization_code", "code": code}
        if redirect_url:
            form["redirect_uri"] = redirect_url
        if self.pkce:
            form["code_verifier"] = code_verifier
        known = _STYLE.get(self.token_url)
        styles = [known] if known else ["header", "params"]
        failure = None
        for style in styles:
            try:
                token = self._token_round_trip(form, style)
            except OAuth2Failure as exc:
                failure = exc
                continue
            _STYLE[self.token_url] = style
            return token
        raise failure

    def _token_round_trip(self, form: dict, style: str) -> dict:
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if style == "header":
            pair = f"{_escape(self.client_id)}:{_escape(self.client_secret)}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
        else:
            form = {**form, "client_id": self.client_id}
            if self.client_secret:
                form["client_secret"] = self.client_secret
        status, content_type, body = _send("POST", self.token_url, headers, urllib.parse.urlencode(form))
        if not 200 <= status <= 299:
            raise OAuth2Failure(f"oauth2: cannot fetch token: {status}")
        if content_type.split(";")[0].strip() in ("application/x-www-form-urlencoded", "text/plain"):
            raw = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode("utf-8", "replace")).items()}
        else:
            raw = _json_object(body, "oauth2: cannot parse json")
        access = raw.get("access_token")
        if not access or not isinstance(access, str):
            raise OAuth2Failure("oauth2: server response missing access_token")
        expiry = None
        try:
            seconds = int(raw.get("expires_in") or 0)
        except (TypeError, ValueError):
            seconds = 0
        if seconds:
            expiry = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds)
        return {"access_token": access, "token_type": str(raw.get("token_type") or ""),
                "refresh_token": str(raw.get("refresh_token") or ""), "expiry": expiry, "raw": raw}

    # -- token -> user ------------------------------------------------------------------------------------------
    def fetch_user(self, token: dict) -> dict:
        """PocketBase's AuthUser for the token: id, name, username, avatarURL, email (only when the provider
        says it is verified), the tokens, expiry and the provider's raw answer."""
        raw = self._raw_user(token)
        claims = {}
        for key in ("sub", "name", "preferred_username", "picture", "email"):
            value = raw.get(key)
            if value is not None and not isinstance(value, str):
                raise OAuth2Failure(f"json: cannot unmarshal {key}")
            claims[key] = value or ""
        verified = raw.get("email_verified")
        if not self.base["loose_verified"] and verified is not None and not isinstance(verified, bool):
            raise OAuth2Failure("json: cannot unmarshal email_verified")
        expiry = token["expiry"]
        return {
            "id": claims["sub"], "name": claims["name"],
            "username": claims["preferred_username"] if self.base["username"] else "",
            "avatarURL": claims["picture"], "email": claims["email"] if _truthy(verified) else "",
            "accessToken": token["access_token"], "refreshToken": token["refresh_token"],
            "expiry": expiry.strftime("%Y-%m-%d %H:%M:%S.") + f"{expiry.microsecond // 1000:03d}Z" if expiry else "",
            "rawUser": raw,
        }

    def _raw_user(self, token: dict) -> dict:
        if not self.user_info_url and self.base is _OIDC:
            return self._id_token_claims(token["raw"].get("id_token"))
        kind = token["token_type"]
        kind = {"": "Bearer", "bearer": "Bearer", "mac": "MAC", "basic": "Basic"}.get(kind.lower(), kind)
        status, _type, body = _send("GET", self.user_info_url, {"Authorization": f"{kind} {token['access_token']}"})
        if status >= 400:
            raise OAuth2Failure(f"failed to fetch OAuth2 user profile via {self.user_info_url} ({status})")
        return _go_numbers(_json_object(body, "the user info is not a JSON object"))

    def _id_token_claims(self, id_token) -> dict:
        """The id_token's claims when no user info URL is set: audience, issue time (five minutes' leeway) and
        the `issuers` extra checked; a signature check against `jwksURL` is not done by pagesvm: refused."""
        if not isinstance(id_token, str) or not id_token:
            raise OAuth2Failure("empty id_token")
        if self.extra.get("jwksURL"):
            raise OAuth2Failure("pagesvm does not check id_token signatures (jwksURL)")
        import jwt  # PyJWT imports `cryptography` (~9 MiB): loaded by the first id_token, not by every worker

        try:
            claims = jwt.decode(id_token, options={"verify_signature": False, "verify_aud": True,
                                                   "verify_iat": True, "verify_exp": True},
                                audience=self.client_id, leeway=300)
        except jwt.PyJWTError as exc:
            raise OAuth2Failure(str(exc)) from None
        issuers = self.extra.get("issuers") or []
        if issuers and claims.get("iss") not in issuers:
            raise OAuth2Failure("iss is not one of the allowed issuers")
        return _go_numbers(claims)


def s256_challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def _json_object(body: bytes, failure: str) -> dict:
    try:
        value = json.loads(body)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise OAuth2Failure(failure)
    return value


def _escape(text: str) -> str:
    return urllib.parse.quote_plus(text, safe="")


def _truthy(value) -> bool:
    """spf13/cast's ToBool, as the OIDC provider reads `email_verified` (a bool, "true", 1…)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value != 0
    if isinstance(value, str):
        return value in ("1", "t", "T", "TRUE", "true", "True")
    return False


def _go_numbers(value):
    """Numbers as Go's JSON round trip leaves them: floats, written without a fraction when whole."""
    if isinstance(value, dict):
        return {k: _go_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_go_numbers(v) for v in value]
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2 ** 53:
        return int(float(value))
    return value


def _pool():
    """The connection pool, made (and urllib3 imported) on the first exchange."""
    global urllib3, _POOL
    if _POOL is None:
        import urllib3 as lib
        urllib3 = lib
        _POOL = lib.PoolManager(num_pools=4, retries=False, timeout=lib.Timeout(connect=TIMEOUT[0], read=TIMEOUT[1]))
    return _POOL


def _send(method: str, url: str, headers: dict, body: str | None = None) -> tuple:
    """(status, content type, body) of one request; OAuth2Failure when the provider cannot be reached."""
    pool = _POOL or _pool()
    try:
        answer = pool.request(method, url, headers=headers, body=body, redirect=False, preload_content=False)
        try:
            data = answer.read(_MAX_BODY + 1)[:_MAX_BODY]
        finally:
            answer.release_conn()
    except (urllib3.exceptions.HTTPError, ValueError, OSError) as exc:
        raise OAuth2Failure(f"{method} {url}: {exc}") from None
    return answer.status, answer.headers.get("Content-Type", ""), data
