// Keep requests apart in a long-lived interpreter (loaded last, once).
//
// * The built-in prototypes and constructors are frozen, so no request can change what
//   the next one sees ([].map, Object.prototype…). The usual override targets
//   (toString, constructor, name, message…) become accessors, so `obj.toString = f`
//   on an ordinary object still works as it does in non-frozen JavaScript.
// * Globals a request creates (sloppy `x = 1`) are deleted after the request.
(function (R, G) {
  'use strict';
  const OVERRIDABLE = ['constructor', 'toString', 'valueOf', 'toLocaleString', 'hasOwnProperty',
    'isPrototypeOf', 'propertyIsEnumerable', 'name', 'message', 'toJSON'];

  function tame(proto) {
    for (const key of OVERRIDABLE) {
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

  const intrinsics = [Object, Function, Array, String, Number, Boolean, Symbol, Date, RegExp, Error,
    EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError, Promise, Map, Set,
    WeakMap, WeakSet, ArrayBuffer, DataView, Proxy, BigInt,
    Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
    Float32Array, Float64Array, BigInt64Array, BigUint64Array];
  const typedArray = Object.getPrototypeOf(Int8Array);
  const iteratorProto = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]()));
  const generatorFn = Object.getPrototypeOf(function* () {});
  const seen = new Set();
  function harden(o) {
    if (o === null || (typeof o !== 'object' && typeof o !== 'function') || seen.has(o)) return;
    seen.add(o);
    if (typeof o === 'function' && o.prototype && typeof o.prototype === 'object') tame(o.prototype);
    Object.freeze(o);
    for (const key of Reflect.ownKeys(o)) {
      const desc = Object.getOwnPropertyDescriptor(o, key);
      if ('value' in desc) harden(desc.value);
      else { harden(desc.get); harden(desc.set); }
    }
    harden(Object.getPrototypeOf(o));
  }
  tame(Object.prototype);
  tame(Error.prototype);
  tame(Function.prototype);
  for (const c of intrinsics) if (typeof c === 'function') harden(c);
  // Also symbol-keyed globals, and a prototype a page swapped in under globalThis. Returns the
  // names that could not be removed (defined non-configurable): Python then replaces the interpreter.
  const globalProto = Object.getPrototypeOf(G);
  R.cleanGlobals = function () {
    const kept = [];
    for (const key of Reflect.ownKeys(G)) {
      if (!baseline.has(key) && !Reflect.deleteProperty(G, key)) kept.push(String(key));
    }
    if (Object.getPrototypeOf(G) !== globalProto) Object.setPrototypeOf(G, globalProto);
    return kept;
  };
  for (const o of [typedArray, iteratorProto, generatorFn, Math, JSON, Reflect, R]) harden(o);

  // Only the entry point stays global; the runtime object is reachable by closures only.
  delete G.__pv;
  G.__pvEntry = Object.freeze({ handle: R.handle });
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
})(__pv, globalThis);
