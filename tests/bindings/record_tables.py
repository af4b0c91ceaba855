"""Test helper: the JavaScript half of the records' crossing (bindings/record_values.js, record.js's wire) in a
bare interpreter, turning RecordSession replies into one table per record: what each getter answers.

`Tables().decode(reply)` absorbs a reply as record.js does (later replies leave out what earlier ones sent, so
feed one Tables every reply of one session, in order) and answers `{"l", "m": {str(handle): table}, "h", "t"}`
plus the reply's other keys, where a table is `{"id", "n", "c", "f": {name: [get, getString, getInt, getFloat,
getBool, getDateTime, getStringSlice]}, "e": the public export's JSON text, "x"?: expand links}` and `m` holds
every record the reply names or reaches.
"""
import json
import os

from runtime.render.quickjs import PagesInterpreter

BINDINGS = os.path.join(os.path.dirname(__file__), "..", "..", "bindings")

_DECODER = r"""
globalThis.__decode = function (answer) {
  const V = globalThis.__V, kit = globalThis.__pvRecords.kit;
  const w = kit.absorb(answer), b = answer.b;
  const count = typeof answer.l === 'number' ? answer.l : answer.l.length;
  const handles = new Set(Array.from({ length: count }, (_, i) => b + kit.listed(answer, i)));
  for (const run of answer.r) {  // [collectionId, isNew, handle, values..., handle, values...]
    const n = w.specs.get(run[0]).f.length;
    for (let p = 2; p < run.length; p += n + 1) handles.add(b + run[p]);
  }
  const x = answer.x || [];  // [handle, count, (relation, multiple, n, n handles) per relation] per record
  for (let i = 0; i < x.length;) {
    handles.add(b + x[i]);
    const count = x[i + 1];
    i += 2;
    for (let c = 0; c < count; c++) {
      for (let j = 0; j < x[i + 2]; j++) handles.add(b + x[i + 3 + j]);
      i += 3 + x[i + 2];
    }
  }
  const m = {};
  for (const h of handles) {
    const row = w.states.get(h);
    const names = row.k.f.map((f) => f[0]).concat(Object.keys(row.u || {}));
    const f = {};
    for (const name of names) f[name] = V.GETTERS.map((g, which) => V.read(row, name, which));
    m[h] = { id: V.recordId(row), n: row.n, c: row.k.c, f, e: JSON.stringify(V.exportRow(row)) };
    const links = kit.links(row);
    if (links) {  // the links with whole handles
      m[h].x = {};
      for (const name in links) m[h].x[name] = [links[name][0], links[name][1].map((o) => row.xb + o)];
    }
  }
  return m;
};
"""


def interpreter() -> PagesInterpreter:
    """A bare interpreter holding record_values.js (as `__V`) and record.js in its migration form."""
    interp = PagesInterpreter()
    for name in ("record_values.js", "record.js"):
        with open(os.path.join(BINDINGS, name), encoding="utf-8") as f:
            interp.eval_script(f.read() + "\n;0")
        if name == "record_values.js":
            interp.eval_script("globalThis.__V = globalThis.__pvRecordValues; 0")
    interp.eval_script(_DECODER + "\n;0")
    return interp


class Tables:
    def __init__(self):
        self.interp = interpreter()

    def decode(self, reply: dict) -> dict:
        if "l" not in reply:
            return reply
        m = self.interp.eval_script("__decode(" + json.dumps(reply, allow_nan=False) + ")")
        out = {k: v for k, v in reply.items() if k not in ("r", "k", "u", "x", "b")}
        listed = range(reply["l"]) if isinstance(reply["l"], int) else reply["l"]  # n: the offsets 0..n-1
        out["l"] = [reply["b"] + offset for offset in listed]  # whole handles, as JavaScript holds them
        out["m"] = m
        if out["l"]:
            out["h"] = out["l"][0]
            out["t"] = m[str(out["l"][0])]
        return out


class decoded:
    """A RecordSession whose answers carry tables (Tables.decode of every `ok` holding records)."""

    def __init__(self, session):
        self.session = session
        self.tables = Tables()

    def __getattr__(self, name):
        method = getattr(self.session, name)
        if not callable(method):
            return method

        def call(*args):
            answer = method(*args)
            if isinstance(answer, dict) and isinstance(answer.get("ok"), dict):
                return {**answer, "ok": self.tables.decode(answer["ok"])}
            return answer
        return call
