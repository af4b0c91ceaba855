"""Start-up: each hook file evaluated once in the worker's interpreter to learn what it registers.

The interpreter records every ``routerAdd``/``routerUse``/``on*``/``cronAdd`` call (js/hooks.js) and
hands back plain descriptions; the closures are made again by each request that needs them. A file
that fails to load stops start-up with ``pb_hooks/FILE:LINE: message``.
"""
from __future__ import annotations

import json
import os

from ..render.engine import page_payload
from .cron import cron_jobs
from .discovery import HOOK_UNIT_PREFIX, shown
from .table import Registration

JS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "js")
JS_FILES = tuple(os.path.join(JS_DIR, name) for name in ("hooks.js", "event.js", "record_hooks.js", "api_hooks.js",
                                                          "realtime_hooks.js"))
# The record hooks js/record_hooks.js runs around a save or delete (the others are learned, not fired yet).
RECORD_HOOKS = frozenset(["onRecordValidate"] + [
    name for op in ("Create", "Update", "Delete") for name in (
        f"onRecord{op}", f"onRecord{op}Execute", f"onRecordAfter{op}Success", f"onRecordAfter{op}Error")])
_LEARN_REQUEST = {"method": "GET", "url": "/", "host": "", "headers": {}, "cookies": {}, "body": None}


class HookLoadError(Exception):
    """A hook file failed to load; the message names its file and line."""


def hook_route(unit: str, hook: dict, request: dict, auth=None) -> dict:
    """The payload of a request run by a hook file (render.js hands it to js/hooks.js)."""
    payload = page_payload(unit, "module", [], [], [], {}, request, auth, {})
    payload["route"]["hook"] = hook
    return payload


def learn(engine, names: list[str]) -> list[Registration]:
    """Learn, in load order, what the hook files ``names`` register (``engine``'s pages root is
    PROJECT/pb_hooks/pages, so ``../NAME`` is the file)."""
    found: list[Registration] = []
    for name in names:
        unit = HOOK_UNIT_PREFIX + name
        payload = hook_route(unit, {"learn": True}, dict(_LEARN_REQUEST))
        try:
            payload["units"] = engine.route_units(payload["route"])
            result = engine.render(payload)
        except Exception as e:  # noqa: BLE001 - a file that does not compile
            error = getattr(e, "line", None)
            where = f"{shown(unit)}:{error}" if error else shown(unit)
            raise HookLoadError(f"{where}: {getattr(e, 'message', None) or e}") from None
        if result.get("error"):
            located = engine.locate_error(result["error"])
            path = shown(located.path or unit)
            where = f"{path}:{located.line}" if located.line else path
            raise HookLoadError(f"{where}: {located.name}: {located.message}")
        for item in json.loads(result.get("body") or "[]"):
            found.append(Registration(
                file=unit, index=item["index"], kind=item["kind"], name=item.get("name", ""),
                method=item.get("method", ""), path=item.get("path", ""), filters=tuple(item.get("filters", ())),
                middlewares=tuple(item.get("mws", ()))))
    try:
        cron_jobs(found)  # an expression PocketBase refuses stops start-up, as its MustAdd panics
    except ValueError as e:
        raise HookLoadError(str(e)) from None
    install_record_hooks(engine, found)
    return found


def record_hook_table(found: list[Registration]) -> dict:
    """{hook name: [[file, index, filters]...]} of the record hooks in ``found``, in registration order, and of
    ``onMailerSend`` (every mail a page, a hook or the REST API sends passes it: js/api_hooks.js)."""
    table: dict = {}
    for r in found:
        if r.kind == "hook" and (r.name in RECORD_HOOKS or r.name == "onMailerSend"):
            table.setdefault(r.name, []).append([r.file, r.index, list(r.filters)])
    return table


def install_record_hooks(engine, found: list[Registration]) -> None:
    """Give the interpreter its record hooks (once, at start-up; a replaced interpreter reads them from the
    engine's config). Nothing at all without any: saves stay one crossing."""
    table = record_hook_table(found)
    if not table:
        return
    engine.config["recordHooks"] = table
    payload = hook_route(found[0].file, {"install": table}, dict(_LEARN_REQUEST))
    payload["units"] = []
    result = engine.render(payload)
    if result.get("error"):
        raise HookLoadError(f"pagesvm: record hooks could not be installed: {result['error']}")


def seed_store(engine, unit: str, store: dict) -> None:
    """Start the interpreter's `$app.store()` with what the start-up migrations' hooks and files left in
    theirs (runtime/render/migrate_hooks.py): on the binary it is one process's store, kept after them."""
    if not store:
        return
    payload = hook_route(unit, {"seedStore": store}, dict(_LEARN_REQUEST))
    payload["units"] = []
    result = engine.render(payload)
    if result.get("error"):
        raise HookLoadError(f"pagesvm: the migrations' app store could not be handed on: {result['error']}")
