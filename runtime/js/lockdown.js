// Keep requests apart in a long-lived interpreter (loaded last, once).
//
// * The built-in constructors, prototypes and namespaces, and their methods, are frozen, so
//   no request can change what the next one sees ([].map, Object.prototype…). The usual
//   override targets (constructor, toString, valueOf, an error's name and message…) become
//   accessors, so `Foo.prototype.toString = f` or `err.name = 'X'` still work as in plain JS.
//   Freezing is shallow on purpose: dukpy runs a full GC on every eval, and each object
//   whose properties change flags costs time on every request; the runtime object itself is
//   not reachable from page code and is left alone.
// * Globals a request creates (sloppy `x = 1`) are deleted after the request.
(function (R, G) {
  'use strict';
  function tame(proto, keys) {
    for (const key of keys) {
      const desc = Object.getOwnPropertyDescriptor(proto, key);
      if (!desc || !('value' in desc) || !desc.configurable) continue;
      const original = desc.value;
      Object.defineProperty(proto, key, {
        get() { return original; },
        set(value) {
          if (this === proto) throw new TypeError('pagesvm: built-in ' + key + ' is read-only');
          Object.defineProperty(this, key, { value, writable: true, enumerable: true, configurable: true });
        },
        enumerable: desc.enumerable, configurable: false,
      });
    }
  }
  tame(Object.prototype, ['constructor', 'toString', 'valueOf', 'toLocaleString', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable']);
  tame(Function.prototype, ['constructor', 'toString']);
  const errors = [Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError];
  for (const E of errors) tame(E.prototype, ['constructor', 'name', 'message', 'toString']);
  const constructors = [Object, Function, Array, String, Number, Boolean, Symbol, Date, RegExp, Promise, Map, Set,
    WeakMap, WeakSet, ArrayBuffer, DataView, Proxy, BigInt, Int8Array, Uint8Array, Uint8ClampedArray, Int16Array,
    Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array].concat(errors);
  for (const C of constructors) if (C.prototype) tame(C.prototype, ['constructor', 'toString']);
  const typedArray = Object.getPrototypeOf(Int8Array);
  const objects = [Math, JSON, Reflect, typedArray, typedArray.prototype,
    Object.getPrototypeOf([][Symbol.iterator]()), Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())),
    Object.getPrototypeOf(function* () {}), Object.getPrototypeOf(function* () {}).prototype];
  for (const C of constructors) { objects.push(C); if (C.prototype) objects.push(C.prototype); }
  const done = new Set();
  function freezeShallow(o) {
    if (done.has(o)) return;
    done.add(o);
    Object.freeze(o);
    for (const key of Reflect.ownKeys(o)) {
      const d = Object.getOwnPropertyDescriptor(o, key);
      for (const f of [d.value, d.get, d.set]) if (typeof f === 'function' && !done.has(f)) { done.add(f); Object.freeze(f); }
    }
  }
  for (const o of objects) freezeShallow(o);
  // Also symbol-keyed globals, and a prototype a page swapped in under globalThis. Returns the
  // names that could not be removed (defined non-configurable): Python then replaces the interpreter.
  const globalProto = Object.getPrototypeOf(G);
  const own = Object.prototype.hasOwnProperty;
  function allPresent(keys) {
    for (const key of keys) if (!own.call(G, key)) return false;
    return true;
  }
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
    if (Object.getPrototypeOf(G) !== globalProto) Object.setPrototypeOf(G, globalProto);
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
    if (value === second[key] && (typeof value === 'function' || (value !== null && typeof value === 'object'))) {
      freezeShallow(value);
      if (typeof value === 'function' && value.prototype) freezeShallow(value.prototype);
    }
  }

  // Only the entry point stays global; the runtime object is reachable by closures only.
  delete G.__pv;
  G.__pvEntry = Object.freeze({ handle: R.handle, batch: R.batch });
  // Existing globals cannot be replaced; new ones are removed after each request.
  // dukpy itself sets `dukpy` and `call_python` before every evaluation.
  const HOST_SET = new Set(['dukpy', 'call_python']);
  const baseline = new Set(Reflect.ownKeys(G));
  for (const name of baseline) {
    const desc = Object.getOwnPropertyDescriptor(G, name);
    if (!HOST_SET.has(name) && desc.configurable && 'value' in desc) {
      Object.defineProperty(G, name, { value: desc.value, writable: false, enumerable: desc.enumerable, configurable: false });
    }
  }
  const deletable = Array.from(baseline).filter((key) => Object.getOwnPropertyDescriptor(G, key).configurable);
})(__pv, globalThis);
