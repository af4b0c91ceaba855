"""PocketBase's REST API (`/api/...`) as plain Python: a request value in, a response value out.

It sits under the bindings and over the data layer (serve → http → hooks → render → bindings → api →
data): the HTTP layer turns a Tornado request into an ``ApiRequest`` and writes the ``ApiResponse``
back; ``pb()`` in pages (a binding) builds the same ``ApiRequest`` in-process, so both reach the same
handlers with the same rules and answers. Nothing here imports Tornado or touches JavaScript: what the
API must call back (the JSVM's request hooks) it is given as plain functions.

Routes register themselves in ``router.ROUTES`` when their module is imported; ``service.Api``
imports them all (``ROUTE_MODULES``) and answers one request through one catch.
"""
from .exchange import ApiError, ApiRequest, ApiResponse, UploadedFile
from .service import Api

__all__ = ["Api", "ApiError", "ApiRequest", "ApiResponse", "UploadedFile"]
