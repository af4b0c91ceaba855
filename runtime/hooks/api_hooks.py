"""The pb_hooks request hooks around PocketBase's REST API (`onRecordCreateRequest`, `onRecordsListRequest`…).

runtime/api is plain Python: where PocketBase triggers a request hook, a handler calls `call.hooked(name,
collection, records, complete)`, and `call.api.hooks` is this module's `ApiHooks` when the project registers
any. A request such hooks concern is served in a render-queue Job (runtime/http/api_routes.py), so the API
runs inside an evaluation; at the hook point Python asks the interpreter back (a nested evaluation,
js/api_hooks.js) to run the chain on Python's records, handed over as Record handles of the request's
RecordSession. The chain's last `e.next()` calls `pv_step.run` (bindings/host_steps.py): the sets the hooks
made are applied to Python's records, then `complete` performs the action (the rules, the save, the answer).
What the chain answers — the action's answer, an `e.json(...)` of its own, or a thrown ApiError's — is the
request's answer. Requests no hook concerns never come here.
"""
from __future__ import annotations

import logging

from bindings import host_steps
from bindings.app import session
from runtime.api.exchange import GENERIC, ApiError, ApiResponse, not_found
from runtime.api.rules import request_info
from runtime.data.db import NotFoundError
from runtime.data.mailer import send_mail

log = logging.getLogger("pagesvm")
# The endpoints (method, last path part) whose answer passes some request or mail hook, and the hooks each may fire.
_SIGN_IN = ("onRecordAuthRequest", "onRecordEnrich", "onMailerRecordAuthAlertSend", "onMailerSend")  # + the alert mail
ENDPOINT_HOOKS = {
    ("GET", "records"): ("onRecordsListRequest", "onRecordEnrich"),
    ("GET", "record"): ("onRecordViewRequest", "onRecordEnrich"),
    ("POST", "records"): ("onRecordCreateRequest", "onRecordEnrich"),
    ("PATCH", "record"): ("onRecordUpdateRequest", "onRecordEnrich"),
    ("DELETE", "record"): ("onRecordDeleteRequest",),
    ("POST", "auth-with-password"): ("onRecordAuthWithPasswordRequest",) + _SIGN_IN,
    ("POST", "auth-refresh"): ("onRecordAuthRefreshRequest", "onRecordAuthRequest", "onRecordEnrich"),
    ("POST", "auth-with-otp"): ("onRecordAuthWithOTPRequest",) + _SIGN_IN,
    ("POST", "auth-with-oauth2"): ("onRecordAuthWithOAuth2Request",) + _SIGN_IN,
    ("POST", "request-otp"): ("onRecordRequestOTPRequest", "onMailerRecordOTPSend", "onMailerSend"),
    ("POST", "request-password-reset"): ("onRecordRequestPasswordResetRequest", "onMailerRecordPasswordResetSend",
                                          "onMailerSend"),
    ("POST", "confirm-password-reset"): ("onRecordConfirmPasswordResetRequest",),
    ("POST", "request-verification"): ("onRecordRequestVerificationRequest", "onMailerRecordVerificationSend",
                                         "onMailerSend"),
    ("POST", "confirm-verification"): ("onRecordConfirmVerificationRequest",),
    ("POST", "request-email-change"): ("onRecordRequestEmailChangeRequest", "onMailerRecordEmailChangeSend",
                                        "onMailerSend"),
    ("POST", "confirm-email-change"): ("onRecordConfirmEmailChangeRequest",),
}
REQUEST_HOOKS = frozenset(name for names in ENDPOINT_HOOKS.values() for name in names)
_ANY_COLLECTION = ("onRecordEnrich", "onMailerSend")  # may concern a call whatever its collection

def request_hook_table(found) -> dict:
    """{hook name: [[file, index, filters]...]} of the request hooks among the Registrations ``found``."""
    table: dict = {}
    for r in found:
        if r.kind == "hook" and r.name in REQUEST_HOOKS:
            table.setdefault(r.name, []).append([r.file, r.index, list(r.filters)])
    return table


class ApiHooks:
    """What `call.api.hooks` is for a project with request hooks: which concern a call, and their chain."""

    def __init__(self, engine_of, table: dict):
        self.engine_of, self.table = engine_of, table

    def refs(self, name: str, key_a: str, key_b: str = "") -> list:
        """[file, index] of the handlers of ``name`` whose filters take the collection (name or id)."""
        return [[f, i] for f, i, filters in self.table.get(name, ())
                if not filters or key_a in filters or (key_b and key_b in filters)]

    def wants(self, name: str, collection) -> bool:
        return bool(self.refs(name, collection.name, collection.id))

    def concerns(self, method: str, kind: str, key: str) -> bool:
        """Whether a call to an endpoint (``kind``: ``records``, ``record``, ``auth-with-password``…) of the
        collection ``key`` (a name or an id, as in the URL) may fire a hook: then it is served in a Job.
        onRecordEnrich may concern the records an expand reaches, so any of it does."""
        for name in ENDPOINT_HOOKS.get((method, kind), ()):
            if name in self.table and (name in _ANY_COLLECTION or self.refs(name, key)):
                return True
        return False

    def run(self, call, name: str, collection, records: list, complete, extra: dict, info=None) -> ApiResponse:
        engine = self.engine_of()
        ctx = engine.ctx
        if not engine.evaluating or ctx is None:  # the HTTP layer serves such calls in a Job: never happens
            log.error("request hook %s outside an evaluation", name)
            raise ApiError(500, GENERIC)
        records_session = session(ctx)

        def step(refs, event):
            records_session.apply(refs or [])
            try:
                response = complete(event if isinstance(event, dict) else {})
            except ApiError as e:
                return {"error": {"status": e.status, "message": e.message, "data": e.data}}
            except NotFoundError:
                e = not_found()
                return {"error": {"status": e.status, "message": e.message, "data": {}}}
            return {"response": _reply(response), "records": records_session.pack(records)}

        argument = {"name": name, "refs": self.refs(name, collection.name, collection.id),
                    "collection": collection.id, "records": records_session.pack(records),
                    "many": name == "onRecordsListRequest", "extra": extra, "info": _info(info, call)}
        host_steps.push(ctx, step)
        try:
            reply = engine.nested("apiRequest", argument)
        finally:
            host_steps.pop(ctx)
        if not isinstance(reply, dict) or "status" not in reply:
            raise ApiError(500, GENERIC)
        body = reply.get("body") or ""
        return ApiResponse(int(reply["status"]), body.encode("utf-8"), [(str(k), str(v)) for k, v in reply.get("headers") or ()])


    def mail(self, call, name: str, record, message: dict, meta: dict):
        """An auth mail through its ``name`` hooks (onMailerRecordPasswordResetSend…): ``e.message`` may be
        changed; the last ``e.next()`` sends it, through the onMailerSend hooks (js/api_hooks.js). None once
        sent (or when a hook ended the chain without sending), else why not: a text, or a hook's ApiError."""
        refs = self.refs(name, record.collection.get("name", ""), record.collection.get("id", ""))
        if not refs and "onMailerSend" not in self.table:
            return send_mail(call.store, message)
        engine = self.engine_of()
        if not engine.evaluating or engine.ctx is None:
            raise ApiError(500, GENERIC)
        records_session = session(engine.ctx)
        reply = engine.nested("apiMail", {"refs": refs, "records": records_session.pack([record]),
                                          "message": message, "meta": meta})
        if not isinstance(reply, dict):
            return "mail hook failed"
        records_session.apply(reply.get("refs") or [])
        if "error" in reply:
            failed = reply["error"]
            if failed.get("api"):
                return ApiError(int(failed.get("status") or 400), str(failed.get("message") or GENERIC),
                                failed.get("data"))
            return str(failed.get("message") or "mail hook failed")
        return send_mail(call.store, reply["sent"]) if reply.get("sent") else None

    def enrich(self, call, records: list, info=None) -> dict:
        """onRecordEnrich on ``records`` (the answer's, expanded ones included), one nested evaluation for all
        (``info``: the request as `e.requestInfo` shows it, when not the call's own, as for a realtime event):
        {id(record): what its chain asked to show ({h: hidden, u: unhidden, c: custom data, e: email})}."""
        wanted = [[k, refs] for k, r in enumerate(records)
                  if (refs := self.refs("onRecordEnrich", r.collection.get("name", ""), r.collection.get("id", "")))]
        if not wanted:
            return {}
        engine = self.engine_of()
        if not engine.evaluating or engine.ctx is None:
            raise ApiError(500, GENERIC)
        records_session = session(engine.ctx)
        reply = engine.nested("apiEnrich", {"records": records_session.pack(records), "refs": wanted,
                                            "info": _info(info, call, False)})
        if not isinstance(reply, dict):
            raise ApiError(500, GENERIC)
        if "error" in reply:
            failed = reply["error"]
            raise ApiError(int(failed.get("status") or 400), str(failed.get("message") or GENERIC), failed.get("data"))
        records_session.apply(reply.get("refs") or [])
        return {id(records[k]): shown for k, shown in reply.get("shown") or ()}


def _reply(response: ApiResponse) -> dict:
    return {"status": response.status, "headers": [list(h) for h in response.headers],
            "body": response.body.decode("utf-8", "replace")}


def _info(info, call, whole: bool = True) -> dict:
    """What `e.requestInfo()` shows (the auth record is fetched by JavaScript from its id, when read)."""
    auth = call.auth
    out = {"auth": {"collectionId": auth[0].id, "id": auth[1].id} if auth else None, "superuser": call.is_superuser}
    if info is None and whole:  # an auth flow's event: the request as the rules would see it
        try:
            info = request_info(call, call.request.data())
        except ApiError:
            info = request_info(call)
    if info is not None:
        out.update(query=info.query, headers=info.headers, body=info.body, method=info.method, context=info.context)
    return out
