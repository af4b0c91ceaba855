"""PocketBase's REST API over HTTP: a Tornado request becomes a ``runtime.api.ApiRequest``, its answer a
``Response``. The API authenticates by the ``Authorization`` header only and reads no cookie, so it
needs no cross-site refusal; every answer under ``/api/`` carries PocketBase's default CORS header."""
from __future__ import annotations

from ..api import Api, ApiRequest
from . import cors
from .response import Response


class ApiRoutes:
    def __init__(self, data_dir: str, options: dict, hooks=None):
        self.api = Api(data_dir, options, hooks)

    def serve(self, handler) -> bool:
        """Answer ``handler`` if the API owns its URL (True); False: on to hook 404s, pages and files."""
        request = handler.request
        if not request.path.startswith("/api/"):
            return False
        response = cors.preflight(request)
        if response is None:
            headers = request.headers
            call = ApiRequest(request.method, request.path, request.query, dict(headers.items()), request.body or b"",
                              headers.get("Content-Type", ""), request.remote_ip)
            answer = self.api.handle(call)
            if answer is None:
                return False
            response = Response(answer.status, answer.body, answer.headers + [cors.ALLOW_ANY])
        handler.send(response)
        return True
