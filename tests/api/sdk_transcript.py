"""The official JS SDK's fixed flow (tests/sites/sdk_flow/flow.mjs) run against a server, and its transcript
made comparable: what differs between two honest servers on every run (record ids, tokens, timestamps, the random
suffix PocketBase gives an uploaded file) becomes a stable placeholder; everything else stays exact.

The same id maps to the same placeholder throughout one transcript (`<id3>` is the third id the flow met), so a
relation, a file URL or an error message naming a record still says *which* record it names.
"""
from __future__ import annotations

import difflib
import json
import os
import re
import subprocess

from tests.helpers import SITES

SITE = os.path.join(SITES, "sdk_flow")
FLOW = os.path.join(SITE, "flow.mjs")

_ID = re.compile(r"[a-z0-9]{15}")
_TOKEN = re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]+")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}Z")
_FILE = re.compile(r"\b([\w-]+)_([a-z0-9]{10})(\.\w+)\b")


def run_flow(node: str, modules: str, base_url: str, timeout: float = 60) -> list:
    """The raw transcript of flow.mjs against `base_url`, the SDK imported from `modules`."""
    done = subprocess.run([node, FLOW, base_url, modules], capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"flow.mjs failed ({done.returncode}):\n{done.stderr}"
    return json.loads(done.stdout)


class _Placeholders:
    """One transcript's mapping of generated values to numbered placeholders, in order of first appearance."""

    def __init__(self):
        self.ids: dict[str, str] = {}
        self.files: dict[str, str] = {}

    def collect_ids(self, value) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "id" and isinstance(item, str) and _ID.fullmatch(item):
                    self.ids.setdefault(item, f"<id{len(self.ids) + 1}>")
                self.collect_ids(item)
        elif isinstance(value, list):
            for item in value:
                self.collect_ids(item)

    def _file(self, match: re.Match) -> str:
        key = match.group(0)
        if key not in self.files:
            self.files[key] = f"{match.group(1)}_<file{len(self.files) + 1}>{match.group(3)}"
        return self.files[key]

    def text(self, value: str) -> str:
        value = _TOKEN.sub("<token>", value)
        value = _DATE.sub("<date>", value)
        value = _FILE.sub(self._file, value)
        if self.ids:
            value = re.sub(r"\b(" + "|".join(self.ids) + r")\b", lambda m: self.ids[m.group(1)], value)
        return value

    def walk(self, value):
        if isinstance(value, dict):
            return {self.text(k): self.walk(v) for k, v in sorted(value.items())}
        if isinstance(value, list):
            return [self.walk(item) for item in value]
        if isinstance(value, str):
            return self.text(value)
        return value


def normalise(transcript: list) -> list:
    """The transcript with placeholders for generated values and sorted keys; everything else untouched."""
    names = _Placeholders()
    names.collect_ids(transcript)
    return names.walk(transcript)


def by_step(transcript: list) -> dict:
    return {entry["step"]: entry for entry in transcript}


def differences(expected: list, actual: list) -> list:
    """The steps where `actual` differs from `expected` (both normalised), each as a readable block whose first
    line names the step and both statuses, followed by a diff of the two entries; [] if none."""
    out = []
    theirs, ours = by_step(expected), by_step(actual)
    for name in list(theirs) + [n for n in ours if n not in theirs]:
        want, got = theirs.get(name), ours.get(name)
        if want == got:
            continue
        if want is None or got is None:
            out.append(f"{name}: only in {'pagesvm' if want is None else 'PocketBase'}")
            continue
        lines = difflib.unified_diff(_pretty(want), _pretty(got), "PocketBase", "pagesvm", n=1, lineterm="")
        out.append("\n".join([f"{name}: PocketBase {want['status']}, pagesvm {got['status']}",
                              *list(lines)[2:]]))
    return out


def report(expected: list, actual: list) -> str:
    """"" when the transcripts agree; else a summary (one line a differing step) then each step's diff."""
    blocks = differences(expected, actual)
    if not blocks:
        return ""
    summary = [f"{len(blocks)} of {len(expected)} steps differ from PocketBase:"]
    summary += ["  " + block.splitlines()[0] for block in blocks]
    return "\n".join(summary + [""] + ["## " + block for block in blocks])


def _pretty(entry: dict) -> list:
    return json.dumps(entry, indent=1, sort_keys=True, ensure_ascii=False).splitlines()
