"""PocketBase's REST API over HTTP: a Tornado request becomes a ``runtime.api.ApiRequest``, its answer a
``Response``. The API authenticates by the ``Authorization`` header only and reads no cookie, so it
needs no cross-site refusal; every answer under ``/api/`` carries PocketBase's default CORS header.

A call that pb_hooks request hooks concern (``onRecordCreateRequest``…, runtime/hooks/api_hooks.py), or
that saves a record record hooks concern (``onRecordCreate``…, runtime/hooks/api_saves.py), is served in a
render-queue Job instead, so the API runs inside an evaluation where the hooks' chain can run;
every other call is answered here at once, as without hooks."""
from __future__ import annotations

import json
import urllib.parse
from http.client import responses

from bindings.request import lowered_headers

from ..api import Api, ApiRequest
from ..api.exchange import GENERIC, not_found
from . import cors
from .realtime_routes import REALTIME_PATHS, RealtimeRoutes
from .response import RETRY_AFTER, Response


class ApiRoutes:
    def __init__(self, data_dir: str, options: dict, hook_routes=None):
        """``hook_routes``: the site's HookRoutes when it registers request hooks (their Jobs), else None."""
        api_hooks = getattr(hook_routes, "api_hooks", None)
        writes = getattr(hook_routes, "record_writes", None)  # record hooks around the API's saves
        self.api = Api(data_dir, options, api_hooks, writes)
        self.jobs = hook_routes if api_hooks is not None or writes is not None else None
        broker = options.get("realtime")  # the runtime's realtime Broker: /api/realtime is streamed here
        rt_hooks = getattr(hook_routes, "realtime_hooks", None)
        self.realtime = RealtimeRoutes(broker, self.api, rt_hooks) if broker is not None else None

    def serve(self, handler):
        """Answer ``handler`` if the API owns its URL (True, or the Job serving it); False: on to hook 404s,
        pages and files."""
        request = handler.request
        if not request.path.startswith("/api/"):
            return False
        response = cors.preflight(request)
        if response is None:
            if request.path in REALTIME_PATHS and self.realtime is not None and self.realtime.serve(handler):
                return True
            headers = request.headers
            call = ApiRequest(request.method, request.path, request.query, lowered_headers(headers), request.body or b"",
                              headers.get("Content-Type", ""), request.remote_ip)
            if self.jobs is not None and _concerned(self.api.hooks, call, self.api.record_writes):
                return self.jobs.run_api(handler, lambda: _reply(self.api.handle(call)))
            answer = self.api.handle(call)
            if answer is None:
                return False
            response = Response(answer.status, answer.body, answer.headers + [cors.ALLOW_ANY])
        handler.send(response)
        return True


# PocketBase's own texts for the statuses its router answers; others are the HTTP reason with a full stop.
_MESSAGES = {400: GENERIC, 403: "You are not allowed to perform this request.",
             404: "The requested resource wasn't found.", 413: "Request entity too large.", 500: GENERIC}


def refusal(status: int) -> Response:
    """A refusal the HTTP layer decided for a URL under `/api/` (dot segments, a head or body over the
    limits, a method, a time-out), in PocketBase's error shape, so an API client reads it like any other."""
    message = _MESSAGES.get(status) or responses.get(status, "Error") + "."
    body = json.dumps({"data": {}, "message": message, "status": status}, separators=(",", ":")).encode()
    headers = [("Content-Type", "application/json"), cors.ALLOW_ANY]
    if status == 503:  # something busy (the database): when to retry, as the HTML refusal says
        headers.append(("Retry-After", RETRY_AFTER))
    return Response(status, body, headers)


def _concerned(hooks, call: ApiRequest, writes=None) -> bool:
    """Whether a request hook, or a record hook around a save the call makes, may fire for this call:
    `/api/collections/{c}/records[/{id}]`, `.../auth-*`, `.../confirm-*`."""
    parts = call.path.split("/")
    if len(parts) < 5 or parts[2] != "collections":
        return False
    kind = parts[4] if len(parts) == 5 else "record" if len(parts) == 6 and parts[4] == "records" else ""
    if not kind:
        return False
    key = urllib.parse.unquote(parts[3])
    return ((hooks is not None and hooks.concerns(call.method, kind, key))
            or (writes is not None and writes.concerns(call.method, kind, key)))


def _reply(answer) -> dict:
    """The API's answer as the Job's JavaScript writes it (js/api_hooks.js ``R.runApi``)."""
    if answer is None:
        answer = not_found().response()
    return {"status": answer.status, "headers": [list(h) for h in answer.headers], "body": answer.body.decode("utf-8", "replace")}
