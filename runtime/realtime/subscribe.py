"""`POST /api/realtime`: a client's subscriptions set, as PocketBase's realtimeSetSubscriptions answers it.

The body (JSON or a form) holds `clientId` (1–255 characters) and `subscriptions` (at most 1000 topics of at
most 2500 characters each); a body that breaks these is 400 with the fields' errors. An unknown client is 404
`Missing or invalid client id.`; a request from another IP than the client's connection is 400 `Invalid
realtime client.`. The request's `Authorization` becomes the client's auth; once a client has one, a request
signed as anyone else (or as nobody) is 403: only a guest may sign in. The new list replaces the old one
(the SDK resends every topic each time), and the answer is 204.
"""
from __future__ import annotations

from runtime.api import ApiError, ApiRequest, ApiResponse
from runtime.api.exchange import bad_request, not_found
from runtime.api.service import ApiCall

from .clients import IP_KEY

MAX_TOPICS, MAX_TOPIC, MAX_ID = 1000, 2500, 255
MISSING_CLIENT = "Missing or invalid client id."
AUTH_MISMATCH = "The current and the previous request authorization don't match."


def _error(code: str, message: str, low: int | None = None, high: int | None = None) -> dict:
    """One field's error as the binary words it (a length error names its bounds in `params`)."""
    error = {"code": code, "message": message}
    if high is not None:
        error["params"] = {"max": high, "min": low}
    return error


def _checked(data) -> tuple[str, list]:
    if not isinstance(data, dict):
        raise bad_request()
    client_id, topics = data.get("clientId", ""), data.get("subscriptions") or []
    if not isinstance(client_id, str) or not isinstance(topics, list) or not all(isinstance(t, str) for t in topics):
        raise bad_request()
    errors = {}
    if not client_id:
        errors["clientId"] = _error("validation_required", "Cannot be blank.")
    elif len(client_id) > MAX_ID:
        errors["clientId"] = _error("validation_length_out_of_range", f"The length must be between 1 and {MAX_ID}.",
                                     1, MAX_ID)
    if len(topics) > MAX_TOPICS:
        errors["subscriptions"] = _error("validation_length_too_long", f"The length must be no more than {MAX_TOPICS}.",
                                         0, MAX_TOPICS)
    else:
        long = {str(i): _error("validation_length_too_long", f"The length must be no more than {MAX_TOPIC}.", 0, MAX_TOPIC)
                for i, t in enumerate(topics) if len(t) > MAX_TOPIC}
        if long:
            errors["subscriptions"] = long
    if errors:
        raise bad_request(data=errors)
    return client_id, topics


def set_subscriptions(broker, api, request: ApiRequest) -> ApiResponse:
    """The answer to one `POST /api/realtime` (`api`: the runtime.api Api whose tokens sign clients in)."""
    checked = checked_subscriptions(broker, api, request)
    if isinstance(checked, ApiResponse):
        return checked
    return apply_subscriptions(*checked)


def checked_subscriptions(broker, api, request: ApiRequest):
    """(client, topics, auth) of a `POST /api/realtime` that passes the checks, else its refusal (an ApiResponse);
    onRealtimeSubscribeRequest runs between the two halves (runtime/http/realtime_hooks.py)."""
    try:
        client_id, topics = _checked(_body(request))
        client = broker.client_by_id(client_id)
        if client is None:
            raise not_found(MISSING_CLIENT)
        ip = client.get(IP_KEY)
        if ip and request.remote_ip and ip != request.remote_ip:
            raise bad_request("Invalid realtime client.")
        auth = ApiCall(api, request).auth
        if client.auth is not None and not broker.is_same_auth(client.auth, auth):
            raise ApiError(403, AUTH_MISMATCH)
    except ApiError as e:
        return e.response()
    return client, topics, auth


def apply_subscriptions(client, topics: list, auth) -> ApiResponse:
    """The client signed in as ``auth`` and subscribed to ``topics`` (replacing the previous ones): 204."""
    client.sign_in(auth)
    client.unsubscribe()
    client.subscribe(*topics)
    return ApiResponse.empty(204)


def _body(request: ApiRequest):
    try:
        data = request.data()
    except Exception:  # noqa: BLE001 - a body that cannot be read is PocketBase's generic 400
        raise bad_request() from None
    form = "json" not in request.content_type.lower()
    if form and isinstance(data, dict) and isinstance(data.get("subscriptions"), str):  # one topic in a form field
        data = {**data, "subscriptions": [data["subscriptions"]]}
    return data
