"""A small OpenID Connect provider for the OAuth2 tests, on a loopback port of its own.

`/authorize` sends the browser back to `redirect_uri` with a one-time code for `FakeOIDC.user` (the test sets
who "logs in"); `/token` trades a code for tokens, checking the client's credentials (HTTP Basic or form
fields, as `accept` allows), the code, the redirect URI it was issued for and the PKCE verifier against its
S256 challenge; `/userinfo` answers the claims for a Bearer access token. Tests may also mint a code
directly with `issue()`. Every token request is noted in `token_requests`.
"""
from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CLIENT_ID, CLIENT_SECRET = "pagesvm-client", "s3cret/+&"


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


class FakeOIDC:
    def __init__(self, accept=("header", "params")):
        self.accept = accept
        self.user: dict = {}
        self.codes: dict = {}  # code -> (claims, challenge, redirect_uri)
        self.tokens: dict = {}  # access token -> claims
        self.token_requests: list = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def config(self, name: str = "oidc", **more) -> dict:
        """A collection's `oauth2.providers[]` entry pointing at this provider."""
        return {"name": name, "clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET, "authURL": self.url + "/authorize",
                "tokenURL": self.url + "/token", "userInfoURL": self.url + "/userinfo", **more}

    def issue(self, claims: dict, challenge: str = "", redirect_uri: str = "") -> str:
        code = secrets.token_urlsafe(12)
        with self.lock:
            self.codes[code] = (dict(claims), challenge, redirect_uri)
        return code

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _handler(fake: FakeOIDC):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def _answer(self, status: int, value, headers=()):
            body = json.dumps(value).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for name, text in headers:
                self.send_header(name, text)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            path, _, query = self.path.partition("?")
            args = {k: v[0] for k, v in urllib.parse.parse_qs(query).items()}
            if path == "/authorize":
                if args.get("client_id") != CLIENT_ID or args.get("response_type") != "code" or not args.get("redirect_uri"):
                    return self._answer(400, {"error": "invalid_request"})
                challenge = args.get("code_challenge", "") if args.get("code_challenge_method") == "S256" else ""
                code = fake.issue(fake.user, challenge, args["redirect_uri"])
                back = args["redirect_uri"] + ("&" if "?" in args["redirect_uri"] else "?") + urllib.parse.urlencode(
                    {"code": code, "state": args.get("state", "")})
                self.send_response(302)
                self.send_header("Location", back)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            if path == "/userinfo":
                auth = self.headers.get("Authorization", "")
                claims = fake.tokens.get(auth[7:]) if auth.startswith("Bearer ") else None
                if claims is None:
                    return self._answer(401, {"error": "invalid_token"})
                return self._answer(200, claims)
            return self._answer(404, {"error": "not_found"})

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            form = {k: v[0] for k, v in urllib.parse.parse_qs(self.rfile.read(length).decode()).items()}
            if self.path != "/token":
                return self._answer(404, {"error": "not_found"})
            basic = self.headers.get("Authorization", "")
            fake.token_requests.append({"basic": basic.startswith("Basic "), "form": dict(form)})
            if basic.startswith("Basic ") and "header" in fake.accept:
                user, _, password = base64.b64decode(basic[6:]).decode().partition(":")
                client = (urllib.parse.unquote_plus(user), urllib.parse.unquote_plus(password))
            elif "params" in fake.accept and "client_id" in form:
                client = (form.get("client_id"), form.get("client_secret"))
            else:
                client = None
            if client != (CLIENT_ID, CLIENT_SECRET):
                return self._answer(401, {"error": "invalid_client"})
            with fake.lock:
                found = fake.codes.pop(form.get("code", ""), None)
            if form.get("grant_type") != "authorization_code" or found is None:
                return self._answer(400, {"error": "invalid_grant"})
            claims, challenge, redirect_uri = found
            if redirect_uri and form.get("redirect_uri") != redirect_uri:
                return self._answer(400, {"error": "invalid_grant", "error_description": "redirect_uri"})
            if challenge and s256(form.get("code_verifier", "")) != challenge:
                return self._answer(400, {"error": "invalid_grant", "error_description": "code_verifier"})
            access = secrets.token_urlsafe(16)
            fake.tokens[access] = claims
            return self._answer(200, {"access_token": access, "token_type": "Bearer", "refresh_token": "r-" + access,
                                      "expires_in": 3600})
    return Handler
