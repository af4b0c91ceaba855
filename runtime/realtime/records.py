"""Record events judged per client as PocketBase's apis/realtime.go does, with the REST API's own rules and export.

A write to record R of collection C concerns a client subscribed to `C/R` (name or id; judged by the view
rule) or to `C/*` or the older bare `C` (judged by the list rule). For each such subscription, with that
client's auth and the subscription's own options (`?options={"query":{..},"headers":{..}}`) as the request:
superusers pass, a `null` rule lets nobody else, `""` everyone, any other rule must hold for the record; then
the subscription's `filter` must too. The record is then exported as the API would answer that request
(hidden fields, emails, `expand` through the targets' view rules, `fields=`), and sent as `{"record", "action"}`
under the subscription's own name (what the SDK listens on).

The rules are judged on the record's values as they were written (rules.matches with `values`, a one-row
table standing for the record), never by reading its row again: the event carries everything, so a delete is
judged like the rest (PocketBase judges a delete just before it, inside its transaction; a rule reading through
a relation that the same delete cascaded away sees it gone here) and any worker can judge any write.
onRecordEnrich hooks run on the record, per subscription, before its expand (as the binary's), through `enricher`
(runtime/http/realtime_hooks.py; None without such hooks): a hook that throws keeps the event from that subscription.
"""
from __future__ import annotations

import json
import urllib.parse

from runtime.api import Api, ApiRequest
from runtime.api import rules
from runtime.api.export import enrich, parse_fields, pick
from runtime.api.service import ApiCall
from runtime.data.db import NotFoundError
from runtime.data.process import store_for
from runtime.data.records import Record

from .clients import AUTH_KEY, Message

CONTEXT_REALTIME = "realtime"


class RecordEvents:
    def __init__(self, data_dir: str, options: dict | None = None):
        self.data_dir = data_dir
        self.api = Api(data_dir, options)  # no request hooks: realtime runs outside any request
        self.enricher = None  # onRecordEnrich, when the project has such hooks (see the module's docstring)

    def _call(self, client, options: dict) -> ApiCall:
        """A GET standing for one subscription: its query and headers, the client's auth."""
        query = urllib.parse.urlencode(options.get("query") or {})
        call = ApiCall(self.api, ApiRequest("GET", "/api/realtime", query, dict(options.get("headers") or {})))
        call._auth = client.auth
        return call

    def messages(self, clients: list, payload: dict):
        """(client, Message) for every subscription the record event may reach."""
        store = store_for(self.data_dir)
        try:
            collection, shape = store.read_collection(payload["collection"])
        except NotFoundError:
            return
        values, action = payload["record"], payload["action"]
        rid = str(values.get("id", ""))
        view = (f"{collection.name}/{rid}", f"{collection.id}/{rid}")
        listed = (f"{collection.name}/*", f"{collection.id}/*", collection.name, collection.id)
        wanted = set(view + listed)
        plans = ((tuple(t + "?" for t in view), collection.viewRule),
                 (tuple(t + "?" for t in listed), collection.listRule))
        for client in clients:
            if client.discarded or client.bases.isdisjoint(wanted):
                continue
            for prefixes, rule in plans:
                for topic, options in client.matching(*prefixes).items():
                    data = self._data(client, options, collection, shape, values, rule, action)
                    if data is not None:
                        yield client, Message(topic, data)

    def _data(self, client, options, collection, shape, values, rule, action) -> str | None:
        """The event's JSON for one subscription, or None when this client may not see the record."""
        call = self._call(client, options)
        info = rules.request_info(call, context=CONTEXT_REALTIME)
        if not self._allowed(call, collection, info, rule, values):
            return None
        filter_ = (options.get("query") or {}).get("filter", "")
        if filter_ and not rules.matches(call, collection, info, filter_, values=values, client=True):
            return None
        record = Record.from_row(shape, values)
        if self.enricher is not None and self.enricher.wants(collection):
            try:
                call.shown = self.enricher.enrich(call, record, info)
            except Exception:  # noqa: BLE001 - as the binary: an enrich error sends nothing to this subscription
                return None
        exported = enrich(call, [record], info)[0]
        raw = (options.get("query") or {}).get("fields", "")
        if raw:
            try:
                pick(exported, parse_fields(raw))
            except ValueError:
                pass  # as the binary: a fields value it cannot read sends the whole record
        return json.dumps({"record": exported, "action": action}, separators=(",", ":"), ensure_ascii=False)

    @staticmethod
    def _allowed(call, collection, info, rule, values) -> bool:
        if call.is_superuser:
            return True
        if rule is None:
            return False
        return rule == "" or rules.matches(call, collection, info, rule, values=values)

    def auth_changed(self, clients: list, payload: dict) -> None:
        """As PocketBase: a client signed in as an auth record that was deleted, or whose tokenKey changed, loses
        its auth (it stays connected, as a guest); one whose record was otherwise updated sees the new values."""
        if payload["action"] == "create":
            return
        values = payload["record"]
        rid = values.get("id")
        for client in clients:
            auth = client.auth
            if auth is None or auth[1].id != rid or auth[0].id != payload["collection"]:
                continue
            if payload["action"] == "delete" or auth[1].token_key() != values.get("tokenKey"):
                client.unset(AUTH_KEY)
            else:
                client.set(AUTH_KEY, (auth[0], Record.from_row(auth[1].collection, values)))
