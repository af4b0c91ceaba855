"""``/api/health``: the liveness answer load balancers and the SDK's ``pb.health.check()`` read."""
from __future__ import annotations

from .exchange import ApiResponse
from .router import ROUTES


@ROUTES.route("GET", "/api/health")
def health(call) -> ApiResponse:
    return ApiResponse.json(200, {"message": "API is healthy.", "code": 200, "data": {}})
