"""QuickJS-ng's Error.prepareStackTrace and Error.stackTraceLimit are accessors on the frozen
Error constructor: their setters change the interpreter's own state, which freezing does not stop.
A hook one request installs then runs inside every later request, and its call sites hand out
the functions on the stack (the runtime's closures, dukpy's call_python)."""
from __future__ import annotations

import pytest


PAGES = {
    # The hostile page: installs a hook that keeps whatever later requests reveal.
    "hook.ejs": """<%
const loot = [];
const req = require;
Error.prepareStackTrace = function (err, frames) {
  if (err && err.message === 'LOOT') return JSON.stringify(loot);
  try { const api = req('pocketpages'); loot.push({ form: api.formData(), auth: api.request.header('authorization') }); }
  catch (e) { loot.push({ msg: String(err && err.message) }); }
  return '';
};
%>hooked""",
    "loot.ejs": "<%- new Error('LOOT').stack %>",
    # An ordinary page: a failed sign-in throws an Error inside the victim's request.
    "login.ejs": """<% try { signInWithPassword(formData().email, formData().password) } catch (e) { %>bad<% } %>""",
    # The call sites of a stack captured inside a promise job include dukpy's call_python.
    "frames.ejs": """<%
const names = [];
Promise.resolve().then(() => {
  Error.prepareStackTrace = (e, f) => f;
  const frames = new Error('x').stack;
  Error.prepareStackTrace = undefined;
  for (const f of frames) { let fn; try { fn = f.getFunction(); } catch (x) {} if (typeof fn === 'function') names.push(fn.name || String(fn).slice(0, 30)); }
  response.json(200, names);
});
%>""",
    # Every setter of the engine's own (native) on what requests share, with its holder.
    "setters.ejs": """<%
const found = [], seen = new Set();
const todo = [globalThis, Object.getPrototypeOf(function* () {}), Object.getPrototypeOf(async function () {}),
  Object.getPrototypeOf([][Symbol.iterator]()), Object.getPrototypeOf(new Map()[Symbol.iterator]()), Promise.resolve()];
while (todo.length) {
  const o = todo.pop();
  if (o === null || (typeof o !== 'object' && typeof o !== 'function') || seen.has(o)) continue;
  seen.add(o);
  for (const k of Reflect.ownKeys(o)) {
    const d = Object.getOwnPropertyDescriptor(o, k);
    if (!d) continue;
    if (d.set && /native code/.test(Function.prototype.toString.call(d.set))) {
      found.push((o === globalThis ? 'globalThis' : o === Object.prototype ? 'Object.prototype' : o === Function.prototype ? 'Function.prototype' : typeof o === 'function' ? o.name : 'proto') + '.' + String(k));
    }
    todo.push(d.value, d.get, d.set);
  }
  todo.push(Object.getPrototypeOf(o));
}
response.json(200, found.sort());
%>""",
    "limit.ejs": "<% if (params.set !== undefined) Error.stackTraceLimit = params.set; %><%= new Error('x').stack.split('\\n').filter(Boolean).length %>",
}


@pytest.fixture
def server(serve_pages):
    return serve_pages(PAGES, "--workers", "1")


def test_a_stack_hook_set_by_one_request_never_runs_in_another(server):
    assert server.get("/hook").status == 200
    res = server.post("/login", form={"email": "ann@example.com", "password": "hunter2"},
                      headers={"Authorization": "Bearer VICTIM", "Origin": server.url})
    assert res.status == 200
    loot = server.get("/loot").text
    assert "hunter2" not in loot and "VICTIM" not in loot, loot


def test_stack_call_sites_never_hand_out_call_python(server):
    res = server.get("/frames")
    assert "call_python" not in res.text, res.text


def test_error_stack_trace_limit_set_by_one_request_does_not_stay(server):
    before = server.get("/limit").text.strip()
    assert int(before) > 1
    server.get("/limit?set=0")
    assert server.get("/limit").text.strip() == before


def test_the_only_native_setters_left_act_on_their_receiver(server):
    """The class behind the two hooks: a built-in setter that writes engine-wide state. The ones
    left assign to the object they are called on (or throw), so freezing what is shared is enough."""
    assert server.get("/setters").json() == [
        "Function.prototype.arguments", "Function.prototype.caller", "Object.prototype.__proto__",
        "proto.Symbol(Symbol.toStringTag)", "proto.constructor"]  # Iterator.prototype's two
