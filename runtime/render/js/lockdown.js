// Keep requests apart in a long-lived interpreter (loaded last, once).
//
// * Everything the interpreter shares is frozen: the graph reachable from globalThis and from
//   the hidden intrinsics (generator, async and iterator prototypes…) is walked through
//   properties, accessors and prototypes, not listed by hand, so no request can change what
//   the next one sees. The usual override targets (constructor, toString, valueOf, an error's
//   name and message…) become accessors, so `Foo.prototype.toString = f` or `err.name = 'X'`
//   still work as in plain JS. Compiled units and the API values every request shares go
//   through the same walk (R.harden).
// * Promise jobs belong to their request: whatever can queue one (Promise and its `then`,
//   Array.fromAsync, queueMicrotask, the code-compiling constructors, a unit with `async` or
//   `import`) marks the request when reached, and the
//   request then drains its jobs (core.js R.drainJobs) while its time limit runs, before its
//   result is reported. FinalizationRegistry, whose callbacks would run during a later
//   request, is removed, and the engine-wide Error.prepareStackTrace/stackTraceLimit are inert.
// * Globals a request creates (sloppy `x = 1`) are deleted after the request.
(function (R, G) {
  'use strict';
  delete G.__pv;  // the runtime object is reachable by closures only, and never frozen
  delete G.FinalizationRegistry;
  const evalCode = G.eval;

  function markJobs() { const st = R.state; if (st) st.jobs = st.usedJobs = true; }
  // Intrinsics that can queue a job or compile code that could.
  const gated = new Set([G.Promise, G.Promise.prototype.then, Array.fromAsync, G.queueMicrotask, G.Function, evalCode,
    Object.getPrototypeOf(function* () {}).constructor, Object.getPrototypeOf(async function () {}).constructor,
    Object.getPrototypeOf(async function* () {}).constructor]);
  const TAMED = new Set(['constructor', 'toString', 'valueOf', 'toLocaleString', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable']);
  const isError = (o) => o === Error.prototype || Error.prototype.isPrototypeOf(o);

  // A data property as a fixed accessor: reading gives the original (marking the request when it
  // is gated); assigning defines an own property on an inheriting object, never on a shared one.
  // Every function made here is frozen with the rest, and dukpy collects garbage twice per
  // evaluation, at a cost that grows with each live object: so the getter is an arrow holding
  // only `original`, and one setter per property name serves every holder (a shared holder is
  // frozen, which the setter tells by its receiver).
  const setters = new Map();
  function setterFor(key) {
    let set = setters.get(key);
    if (!set) {
      set = ({ set(value) {
        if (Object.isFrozen(this)) throw new TypeError('pagesvm: built-in ' + String(key) + ' is read-only');
        Object.defineProperty(this, key, { value, writable: true, enumerable: true, configurable: true });
      } }).set;
      setters.set(key, set);
    }
    return set;
  }
  function fix(holder, key, original) {
    const get = gated.has(original) ? () => { markJobs(); return original; } : () => original;
    Object.defineProperty(holder, key, {
      get, set: holder === G ? undefined : setterFor(key),
      enumerable: Object.getOwnPropertyDescriptor(holder, key).enumerable, configurable: false,
    });
  }
  function wantsFix(o, key, value) {
    if (gated.has(value)) return true;
    if (o === G || typeof key !== 'string') return false;
    if (o === Object.prototype) return TAMED.has(key);
    if (key === 'constructor' || key === 'toString') return Object.prototype.hasOwnProperty.call(o, 'constructor');
    return (key === 'name' || key === 'message') && isError(o);
  }

  // Walk and freeze everything reachable from `root` (the global object itself stays open:
  // its own names are locked below, and new ones are swept after each request). Once the
  // start-up walk is over, everything shared is frozen, so later walks (compiled units) stop
  // at frozen objects; nothing remembers the objects walked (a live set costs every GC).
  let startup = new Set();
  function harden(root) {
    const seen = startup || new Set();
    const todo = [root];
    while (todo.length) {
      const o = todo.pop();
      if (o === null || (typeof o !== 'object' && typeof o !== 'function') || seen.has(o)) continue;
      if (!startup && Object.isFrozen(o)) continue;
      seen.add(o);
      for (const key of Reflect.ownKeys(o)) {
        let d = Object.getOwnPropertyDescriptor(o, key);
        if (d === undefined) continue;
        if ('value' in d && d.configurable && wantsFix(o, key, d.value)) {
          todo.push(d.value);
          fix(o, key, d.value);
          d = Object.getOwnPropertyDescriptor(o, key);
        }
        if (gated.has(d.value) && !d.configurable) throw new Error('pagesvm: cannot gate ' + String(key));
        todo.push(d.value, d.get, d.set);
      }
      if (o !== G) Object.freeze(o);
      todo.push(Object.getPrototypeOf(o));
    }
    return root;
  }
  R.harden = harden;

  // Intrinsics not named by any global: reached from a sample of each kind.
  const samples = [function* () {}, async function () {}, async function* () {}, async () => {},
    (function* () {})(), (async function* () {})(), (function () { return arguments; })(),
    [][Symbol.iterator](), new Map()[Symbol.iterator](), new Set()[Symbol.iterator](), ''[Symbol.iterator](),
    /a/[Symbol.matchAll](''), Promise.resolve(), new WeakRef({})];
  if (typeof Iterator === 'function' && Iterator.from) samples.push(Iterator.from({ next() { return { done: true }; } }), [].values().map((x) => x));
  // quickjs-ng keeps Error.prepareStackTrace and Error.stackTraceLimit in the interpreter itself:
  // their setters write engine state, which freezing `Error` does not stop, so one request's hook
  // would run inside every later request, and its call sites would hand out the functions on the
  // stack (the runtime's, dukpy's call_python). Both become inert: reading gives the engine's
  // defaults, assigning is ignored (goja, PocketBase's engine, has neither).
  for (const [key, value] of [['prepareStackTrace', undefined], ['stackTraceLimit', G.Error.stackTraceLimit]]) {
    const d = Object.getOwnPropertyDescriptor(G.Error, key);
    if (d && d.set) Object.defineProperty(G.Error, key, { get: () => value, set: (ignored) => {}, enumerable: d.enumerable, configurable: false });
  }
  harden(G);
  for (const s of samples) harden(s);
  for (const value of R.shared) harden(value);  // classes behind per-request values (auth.js)

  // Globals: the baseline is fixed; names a request adds are removed after it. Also
  // symbol-keyed globals, and a prototype a page swapped in under globalThis. Returns the
  // names that could not be removed (defined non-configurable), and a note when the global object
  // was locked (preventExtensions, seal, freeze): Python then replaces the interpreter.
  const globalProto = Object.getPrototypeOf(G);
  const own = Object.prototype.hasOwnProperty;
  function allPresent(keys) {
    for (const key of keys) if (!own.call(G, key)) return false;
    return true;
  }
  let baseline = null;
  let deletable = [];
  R.cleanGlobals = function () {
    const kept = [];
    const keys = Reflect.ownKeys(G);
    // Every baseline global but `deletable` is non-configurable, so the same count with all of
    // those still present means no key was added (string or symbol): skip the walk.
    if (keys.length !== baseline.size || !allPresent(deletable)) {
      for (const key of keys) {
        if (!baseline.has(key) && !Reflect.deleteProperty(G, key)) kept.push(String(key));
      }
    }
    // preventExtensions/seal/freeze(globalThis) cannot be undone: reported like an undeletable
    // name (and a prototype swapped in before that stays: Reflect reports it, never throws).
    if (Object.getPrototypeOf(G) !== globalProto && !Reflect.setPrototypeOf(G, globalProto)) kept.push('(the prototype of globalThis)');
    if (!Object.isExtensible(G)) kept.push('(globalThis made non-extensible)');
    return kept;
  };

  // API values every request shares (the same object in two fresh builds: include, url,
  // the micro-dash helpers, Python binding stubs…) are frozen too, so `include.x = 1` made
  // by one request is not there for the next.
  const probe = { route: { page: '', kind: 'template', middlewares: [], loaders: [], layouts: [], params: {} },
    request: { method: 'GET', url: '/', host: '', headers: {}, cookies: {}, body: null }, auth: null, data: {} };
  const first = R.buildApi(R.newState(probe));
  const second = R.buildApi(R.newState(probe));
  for (const key of Object.keys(first)) {
    const value = first[key];
    if (value === second[key] && (typeof value === 'function' || (value !== null && typeof value === 'object'))) harden(value);
  }

  // The evaluation's entry point (read through the `dukpy` accessor, core.js): the variables
  // must carry this interpreter's key, which only Python and this closure know.
  R.entry = function (vars) {
    if (vars === null || typeof vars !== 'object' || vars.k !== R.key) return undefined;
    // Left since the last evaluation and impossible to remove: run nothing on this interpreter.
    // No request starts, so Python replaces the interpreter and runs them all again.
    if (R.cleanGlobals().length) return undefined;
    return vars.b !== undefined ? R.batch(vars.b) : R.handle(vars.p);
  };

  // Existing globals cannot be replaced; new ones are removed after each request.
  baseline = new Set(Reflect.ownKeys(G));
  for (const name of baseline) {
    const desc = Object.getOwnPropertyDescriptor(G, name);
    if (desc.configurable && 'value' in desc) {
      Object.defineProperty(G, name, { value: desc.value, writable: false, enumerable: desc.enumerable, configurable: false });
    }
  }
  deletable = Array.from(baseline).filter((key) => Object.getOwnPropertyDescriptor(G, key).configurable);
  startup = null;
})(__pv, globalThis);
