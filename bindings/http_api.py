"""The `$http` family: PocketBase's `$http.send` for page (and hook) code (http_api.js is the JavaScript half).

A blocking HTTP request with urllib3 (see pyproject.toml), shaped as the binary's Go client answers it:
``Go-http-client/1.1`` and ``Accept-Encoding: gzip`` unless the page sets them (gzip then undone, as Go does),
redirects followed as Go's client follows them (10 at most; 301/302/303 turn into a body-less GET), errors
as Go's texts (``Get "URL": dial tcp HOST:PORT: connect: connection refused``, ``context deadline exceeded``).

Differences that protect the worker: the call never outlives the request (its timeout is cut to the time
--timeout leaves, ``ctx.options["time_left"]``), and a response body over ``MAX_RESPONSE`` (decompressed) is
an error instead of a worker's memory. A call to this same server is handed to ``ctx.options["loopback"]``
(runtime/http/loopback.py serves it in-process), so a worker never waits on itself.
"""
from __future__ import annotations

import os
import re
import time
import urllib.parse

from .registry import Registry

FAMILY = Registry()  # this family's names; bindings.builtins includes it in a runtime's registry
HTTP_JS = FAMILY.js_file(os.path.join(os.path.dirname(os.path.abspath(__file__)), "http_api.js"))
DEFAULT_TIMEOUT = 120.0  # seconds, the binary's default
MAX_RESPONSE = 10 * 1024 * 1024  # bytes of a response body (after gzip); ctx.options["http_max_response"] overrides
MAX_REDIRECTS = 10  # Go's http.Client
USER_AGENT = "Go-http-client/1.1"
ZERO_TIME = "0001-01-01T00:00:00Z"  # Go's zero time.Time as JSON
SAME_SITE = {"lax": 2, "strict": 3, "none": 4}  # Go's http.SameSite values; 1 (default mode) for another value
FLAGS = {"secure": "secure", "httponly": "httpOnly", "partitioned": "partitioned"}
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")  # an HTTP method / header name (RFC 9110 token)
urllib3 = None  # imported by the first exchange that leaves the process (_pool): a worker that never sends holds none
_POOL = None  # the connection pool, made by _pool
_FAILURES: tuple = (OSError,)  # what a failed exchange raises; urllib3's HTTPError joins once it is imported


def _pool():
    """The connection pool, made (and urllib3 imported) on the first exchange that leaves the process."""
    global urllib3, _POOL, _FAILURES
    if _POOL is None:
        import urllib3 as lib
        urllib3 = lib
        _FAILURES = (lib.exceptions.HTTPError, OSError)
        _POOL = lib.PoolManager(num_pools=8, maxsize=1, retries=False, block=False)  # one worker thread: keep-alive only
    return _POOL


class SendError(Exception):
    """Go's url.Error: ``Op "URL": reason``."""


def canonical(name: str) -> str:
    """Go's textproto.CanonicalMIMEHeaderKey: ``content-type`` → ``Content-Type`` (a name that is not a token stays)."""
    if not _TOKEN.match(name) or " " in name:
        return name
    return "-".join(part[:1].upper() + part[1:].lower() for part in name.split("-"))


def go_url(url: str) -> str:
    """The URL as Go's url.String() prints it in an error (spaces and the like escaped)."""
    return urllib.parse.quote(url, safe=":/?#[]@!$&'()*+,;=%~")


def _cookie_value(text: str, unquote: bool):
    """Go's parseCookieValue: (value, quoted) or None when a byte is not allowed in a cookie value."""
    quoted = unquote and len(text) > 1 and text[0] == '"' and text[-1] == '"'
    if quoted:
        text = text[1:-1]
    if any(not (0x20 <= ord(c) < 0x7F) or c in '";\\' for c in text):
        return None
    return text, quoted


def _expires(text: str) -> str:
    """An Expires attribute as Go's time.Time JSON (the zero time when Go cannot read it)."""
    for layout in ("%a, %d %b %Y %H:%M:%S %Z", "%a, %d-%b-%Y %H:%M:%S %Z"):
        try:
            return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.strptime(text, layout))
        except ValueError:
            continue
    return ZERO_TIME


def go_cookie(line: str) -> dict | None:
    """One Set-Cookie line as Go's http.Cookie (readSetCookies), or None for a line Go skips."""
    parts = line.strip().split(";")
    name, eq, value = parts[0].strip().partition("=")
    name = name.strip()
    checked = _cookie_value(value, True) if eq and _TOKEN.match(name) else None
    if checked is None:
        return None
    cookie = {"name": name, "value": checked[0], "quoted": checked[1], "path": "", "domain": "", "expires": ZERO_TIME,
              "rawExpires": "", "maxAge": 0, "secure": False, "httpOnly": False, "sameSite": 0, "partitioned": False,
              "raw": line, "unparsed": []}
    for part in parts[1:]:
        part = part.strip()
        if not part:
            continue
        attr, _, val = part.partition("=")
        attr = attr.strip().lower()
        ok = _cookie_value(val, False)
        if ok is None:
            cookie["unparsed"].append(part)
            continue
        val = ok[0]
        if attr == "samesite":
            cookie["sameSite"] = SAME_SITE.get(val.lower(), 1)
        elif attr in FLAGS:
            cookie[FLAGS[attr]] = True
        elif attr in ("domain", "path"):
            cookie[attr] = val
        elif attr == "max-age":
            if re.fullmatch(r"-?\d+", val) and not (val != "0" and val.startswith("0")):
                cookie["maxAge"] = int(val) if int(val) > 0 else -1
        elif attr == "expires":
            cookie["rawExpires"] = val
            cookie["expires"] = _expires(val)
        else:
            cookie["unparsed"].append(part)
    return cookie


def _nameserver() -> str:
    """The resolver Go names in a failed lookup (``on 10.0.0.53:53``): /etc/resolv.conf's first nameserver."""
    try:
        with open("/etc/resolv.conf", encoding="utf-8") as f:
            for line in f:
                fields = line.split()
                if len(fields) > 1 and fields[0] == "nameserver":
                    return f"[{fields[1]}]:53" if ":" in fields[1] else f"{fields[1]}:53"
    except OSError:
        pass
    return ""


def _reason(e: BaseException, host: str, port) -> str:
    """Go's text for a failed exchange."""
    _pool()  # (an exchange can fail before the first one reached urllib3: its deadline was already past)
    if isinstance(e, urllib3.exceptions.NameResolutionError):  # before NewConnectionError, its base
        server = _nameserver()
        return f"dial tcp: lookup {host}{' on ' + server if server else ''}: no such host"
    if isinstance(e, (urllib3.exceptions.TimeoutError, TimeoutError)) and not isinstance(e, urllib3.exceptions.NewConnectionError):
        return "context deadline exceeded"  # (urllib3's NewConnectionError is a ConnectTimeoutError)
    cause = e.__context__ if isinstance(e, urllib3.exceptions.NewConnectionError) and e.__context__ else e
    if isinstance(e, urllib3.exceptions.NewConnectionError) or isinstance(cause, ConnectionRefusedError):
        if isinstance(cause, ConnectionRefusedError) or "refused" in str(e):
            return f"dial tcp {host}:{port}: connect: connection refused"
        return f"dial tcp {host}:{port}: {getattr(cause, 'strerror', None) or cause}"
    if isinstance(e, urllib3.exceptions.ProtocolError):
        return "EOF" if "closed" in str(e).lower() else str(e)
    return str(e)


class _Clock:
    """The exchange's deadline: its own timeout, cut to what the request's --timeout leaves."""

    def __init__(self, ctx, timeout):
        seconds = float(timeout) if isinstance(timeout, (int, float)) and timeout > 0 else DEFAULT_TIMEOUT
        time_left = ctx.options.get("time_left")
        left = time_left() if time_left is not None else None
        if left is not None and left > 0:
            seconds = min(seconds, left)
        self.deadline = time.monotonic() + seconds

    def left(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("deadline")
        return left


def _read(response, clock: _Clock, cap: int, decode: bool) -> bytes:
    chunks, size = [], 0
    while True:
        clock.left()
        chunk = response.read(65536, decode_content=decode)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > cap:
            raise OverflowError(f"pagesvm: $http.send: the response body is over {cap} bytes "
                                f"({cap // (1024 * 1024)} MiB, pagesvm's cap)")
        chunks.append(chunk)


def _exchange(ctx, method: str, url: str, headers: dict, body: bytes, clock: _Clock, cap: int) -> tuple:
    """One request, no redirect followed: (status, [(name, value)], body bytes)."""
    loopback = ctx.options.get("loopback")
    if loopback is not None:
        answer = loopback(ctx, method, url, headers, body)
        if answer is not None:
            status, pairs, data = answer
            if len(data) > cap:
                raise OverflowError(f"pagesvm: $http.send: the response body is over {cap} bytes")
            return status, pairs, data
    added_gzip = not any(k.lower() == "accept-encoding" for k in headers) and "range" not in {k.lower() for k in headers}
    sent = {"User-Agent": USER_AGENT, **headers}
    if added_gzip:
        sent["Accept-Encoding"] = "gzip"
    left = clock.left()
    response = (_POOL or _pool()).request(method, url, body=body if body or method not in ("GET", "HEAD") else None, headers=sent,
                             redirect=False, preload_content=False, decode_content=False,
                             timeout=urllib3.Timeout(connect=left, read=left))
    try:
        gzipped = added_gzip and response.headers.get("Content-Encoding", "").lower() == "gzip"
        pairs = [(k, v) for k in response.headers for v in response.headers.getlist(k)
                 if not (gzipped and k.lower() in ("content-encoding", "content-length"))]
        data = _read(response, clock, cap, gzipped) if method != "HEAD" else b""
    finally:
        response.release_conn()
    return response.status, pairs, data


def _send(ctx, config: dict):
    """`$http.send(config)`: {"ok": {status, headers, raw, bytes?}} or {"error": Go's text}."""
    url = str(config.get("url") or "")
    method = str(config.get("method") or "GET").upper()
    if not _TOKEN.match(method):
        return {"error": f'net/http: invalid method "{method}"'}
    headers = {canonical(str(k)): str(v) for k, v in (config.get("headers") or {}).items()}
    body = str(config.get("body") or "").encode("utf-8")
    cap = int(ctx.options.get("http_max_response") or MAX_RESPONSE)
    clock = _Clock(ctx, config.get("timeout"))
    target, redirects = url, 0
    while True:
        op = method[:1] + method[1:].lower()
        parts = urllib.parse.urlsplit(target)
        if parts.scheme.lower() not in ("http", "https"):
            return {"error": f'{op} "{go_url(target)}": unsupported protocol scheme "{parts.scheme}"'}
        try:
            status, pairs, data = _exchange(ctx, method, target, headers, body, clock, cap)
        except OverflowError as e:
            return {"error": str(e)}
        except _FAILURES as e:
            return {"error": f'{op} "{go_url(target)}": {_reason(e, parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80))}'}
        location = next((v for k, v in pairs if k.lower() == "location"), None)
        if status not in (301, 302, 303, 307, 308) or location is None:
            break
        redirects += 1
        if redirects >= MAX_REDIRECTS:  # Go refuses once 10 requests were made (len(via) >= 10)
            return {"error": f'{op} "{go_url(location)}": stopped after {MAX_REDIRECTS} redirects'}
        if status in (301, 302, 303) and method not in ("GET", "HEAD"):
            method, body = "GET", b""
            headers = {k: v for k, v in headers.items() if k not in ("Content-Type", "Content-Length")}
        target = urllib.parse.urljoin(target, location)
    raw = data.decode("utf-8", "replace")
    cookies = {}
    for name, value in pairs:
        cookie = go_cookie(value) if name.lower() == "set-cookie" else None
        if cookie is not None:
            cookies[cookie["name"]] = cookie  # the last of a name wins, as in the binary's map
    reply = {"status": status, "headers": [[canonical(k), v] for k, v in pairs], "cookies": cookies, "raw": raw}
    if raw.encode("utf-8") != data:  # not UTF-8: the bytes themselves cross (else JavaScript makes them from raw)
        reply["bytes"] = list(data)
    return {"ok": reply}


FAMILY.add("pv_http.send", _send, hidden=True)
