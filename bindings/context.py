"""``ctx``: what a Python binding sees of the request being served.

Changes a binding makes (status, headers, cookies, sign-in state) are recorded as
effects and handed back to JavaScript with the binding's reply, so they apply in call
order together with what the page itself sets.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from .headers import MAX_STATUS, MIN_STATUS, checked, valid_status

from .cookies import check_cookie


@dataclass
class RequestInfo:
    method: str
    path: str
    url: str
    headers: dict[str, str]
    cookies: dict[str, str]
    query: dict[str, Any]
    body: Any
    host: str = ""
    scheme: str = "http"
    remote_ip: str = ""

    @property
    def secure(self) -> bool:
        return self.scheme == "https"


class ResponseEffects:
    """Status, headers and cookies set from Python during one binding call."""

    def __init__(self, cookie_path: str = "/"):
        self.cookie_path = cookie_path
        self.status: int | None = None
        self.headers: list[list[str]] = []
        self.cookies: list[dict] = []
        self._auth_changed = False
        self._auth: dict | None = None

    def set_status(self, status: int) -> None:
        """A status outside 200-599 raises ValueError here, where the binding that set it is known."""
        status = int(status)
        if not valid_status(status):
            raise ValueError(f"invalid status {status} (a response status is {MIN_STATUS}-{MAX_STATUS})")
        self.status = status

    def set_header(self, name: str, value: str) -> None:
        """Checked as the page's own headers are (``bindings.headers.checked``): a header HTTP cannot
        carry, or one that frames the message (Transfer-Encoding, Content-Length…), raises HeaderError
        (a ValueError) here, in the binding that set it."""
        self.headers.append(list(checked(name, value)))

    def set_cookie(self, name: str, value: str, **options) -> None:
        """Options as in response.cookie(); a bad one raises CookieError (a 500 unless caught)."""
        options.setdefault("path", self.cookie_path)
        options = check_cookie(name, value, options)
        self.cookies.append({"name": name, "value": value, "options": options})

    def clear_cookie(self, name: str, **options) -> None:
        options.setdefault("path", self.cookie_path)
        options["maxAge"] = 0
        options = check_cookie(name, "", options)
        self.cookies.append({"name": name, "value": "", "options": options})

    def drain(self) -> dict | None:
        fx: dict = {}
        if self.status is not None:
            fx["status"] = self.status
        if self.headers:
            fx["headers"] = self.headers
        if self.cookies:
            fx["cookies"] = self.cookies
        if self._auth_changed:
            fx["auth"] = self._auth
        self.status, self.headers, self.cookies, self._auth_changed = None, [], [], False
        return fx or None


@dataclass
class Context:
    """Passed as the first argument to every binding and ``on_request`` hook."""

    request: RequestInfo
    response: ResponseEffects
    data_dir: str
    site: str
    data: dict = field(default_factory=dict)
    options: dict = field(default_factory=dict)
    _auth: dict | None = None

    # Callables to run when the request is over (a transaction to roll back): None until a binding adds one,
    # so a request that opened nothing pays one attribute read. A class attribute, not a dataclass field.
    ends = None
    # The token a sign-in made during this request issued (None: the `pb_auth` cookie's, when ``auth`` is set): what
    # ``pb({request})`` sends as its Authorization header. Set by the auth family; a class attribute, so a request
    # that signs nobody in pays nothing.
    auth_token = None
    # The HTML of the request's last large `$template` render (bindings/template.py): a response whose body is
    # that same string comes back from JavaScript without it (render.js `kept`), and the engine puts it back.
    last_html = None

    def at_end(self, fn) -> None:
        """Run ``fn()`` once the request is over, however it ended (answered, failed, timed out)."""
        if self.ends is None:
            self.ends = []
        self.ends.append(fn)

    def end(self) -> None:
        """Run (once) what ``at_end`` registered; the render queue calls it after each request."""
        ends, self.ends = self.ends, None
        for fn in ends or ():
            try:
                fn()
            except Exception:  # noqa: BLE001 - one failed cleanup must not keep the others from running
                logging.getLogger("pagesvm").exception("ending the request failed")

    @property
    def app(self):
        """The records API of data.db (bindings.app_python.PythonApp), on the same store and transaction as
        the page's `$app`; opened at the first use."""
        from .app_python import app_for  # not imported by requests that never ask

        return app_for(self)

    @property
    def auth(self) -> dict | None:
        """The signed-in user's public record, or None."""
        return self._auth

    @auth.setter
    def auth(self, record: dict | None) -> None:
        self._auth = record
        self.response._auth_changed = True
        self.response._auth = record
