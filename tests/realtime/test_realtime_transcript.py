"""The official JS SDK's realtime (`pb.collection(c).subscribe`, `pb.realtime.subscribe`, in node) through one fixed
flow — a public collection's create, update and delete, a record topic, a subscription's filter and fields, an
owner rule (the owner hears, another user and a guest do not), nothing after unsubscribing, a custom topic sent by
a `routerAdd` hook — against the real PocketBase 0.40.6 and `pagesvm serve`, each on a fresh copy of
tests/sites/realtime_flow. The binary's transcript is the specification; pagesvm's must equal it once normalised.
Node has no EventSource: the `eventsource` npm package is installed into the test cache (never the repository)."""
import json
import os
import shutil
import subprocess

import pytest

from tests.api.sdk_transcript import by_step, normalise, report
from tests.helpers import SITES, PocketBase, node_sdk, require_tool, start_server

SITE = os.path.join(SITES, "realtime_flow")
EVENTSOURCE = "~3.0.7"


def eventsource_modules(node: str) -> str:
    """node_modules holding the `eventsource` package, installed once beside the SDK's cache."""
    cache = os.path.join(os.environ.get("PAGESVM_TEST_CACHE")
                         or os.path.join(os.path.expanduser("~"), ".cache", "pagesvm-tests"), "eventsource")
    modules = os.path.join(cache, "node_modules")
    if os.path.isfile(os.path.join(modules, "eventsource", "package.json")):
        return modules
    npm = require_tool(shutil.which("npm"), "npm", "apt-get install nodejs npm")
    os.makedirs(cache, exist_ok=True)
    with open(os.path.join(cache, "package.json"), "w", encoding="utf-8") as handle:
        json.dump({"private": True, "dependencies": {"eventsource": EVENTSOURCE}}, handle)
    done = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--loglevel=error"], cwd=cache,
                          capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        require_tool(None, f"the eventsource npm package {EVENTSOURCE}", f"npm install in {cache} failed")
    return modules


@pytest.fixture(scope="module")
def tools():
    node, sdk = node_sdk()
    return node, sdk, eventsource_modules(node)


def _run(tools, base_url: str) -> list:
    node, sdk, es = tools
    done = subprocess.run([node, os.path.join(SITE, "flow.mjs"), base_url, sdk, es], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, f"flow.mjs failed ({done.returncode}):\n{done.stderr}"
    return normalise(json.loads(done.stdout))


def _fresh(tmp_path_factory, name: str) -> str:
    folder = tmp_path_factory.mktemp(name) / "realtime_flow"
    shutil.copytree(SITE, folder)
    return str(folder)


@pytest.fixture(scope="module")
def binary(tools, tmp_path_factory):
    folder = _fresh(tmp_path_factory, "pocketbase")
    pb = PocketBase(folder, migrations=os.path.join(folder, "pb_migrations"))
    try:
        return _run(tools, f"http://127.0.0.1:{pb.port}")
    finally:
        pb.stop()


def test_the_binary_delivers_the_flow_as_pinned(binary):
    steps = by_step(binary)
    assert all(entry["ok"] for entry in steps.values()), [e for e in binary if not e["ok"]]
    [create] = steps["posts/* got the create"]["data"]
    assert create["action"] == "create" and create["record"]["title"] == "hello" and "secret" not in create["record"]
    assert steps["the filtered subscription got nothing"]["data"] == []
    [picked] = steps["the filtered subscription got the update, picked"]["data"]
    assert sorted(picked["record"]) == ["id", "title", "views"]
    assert [e["action"] for e in steps["posts/ID got the delete"]["data"]] == ["delete"]
    assert [e["action"] for name in ("ann got the create", "ann got the update", "ann got the delete")
            for e in steps[name]["data"]] == ["create", "update", "delete"]
    assert steps["bob got nothing"]["data"] == [] and steps["guest got nothing"]["data"] == []
    assert steps["posts/* got nothing after unsubscribing"]["data"] == []
    assert steps["a hook route sends to shouts"]["data"] == {"sent": 1}
    assert steps["shouts got the message"]["data"] == [{"text": "hi"}]


def test_pagesvm_delivers_as_pocketbase(binary, tools, tmp_path_factory):
    folder = _fresh(tmp_path_factory, "pagesvm")
    server = start_server(folder, "--workers", "1", data_dir=os.path.join(folder, "pb_data"))
    try:
        ours = _run(tools, server.url)
    finally:
        server.stop()
    diff = report(binary, ours)
    assert not diff, diff
