// The micro-dash helpers PocketPages exposes (forEach, keys, values, merge, pick,
// shuffle), plus omit. `merge` is a deep merge that never writes through __proto__.
(function (R) {
  'use strict';
  const UNSAFE = R.UNSAFE_KEYS;  // core.js
  function isPlain(v) {
    if (v === null || typeof v !== 'object') return false;
    const p = Object.getPrototypeOf(v);
    return p === Object.prototype || p === null;
  }
  function merge(target) {
    target = target == null ? {} : target;
    for (let i = 1; i < arguments.length; i++) {
      const source = arguments[i];
      if (source == null || typeof source !== 'object') continue;
      for (const key of Object.keys(source)) {
        if (UNSAFE.has(key)) continue;
        const value = source[key];
        if (isPlain(value) && isPlain(target[key])) merge(target[key], value);
        else if (isPlain(value)) target[key] = merge({}, value);
        else if (value !== undefined) target[key] = value;
      }
    }
    return target;
  }
  R.deepMerge = merge;
  const helpers = {
    forEach(collection, fn) {
      if (Array.isArray(collection)) collection.forEach(fn);
      else if (collection) for (const k of Object.keys(collection)) fn(collection[k], k);
      return collection;
    },
    keys(o) { return o == null ? [] : Object.keys(o); },
    values(o) { return o == null ? [] : Object.values(o); },
    merge,
    pick(o, ...names) {
      const out = {};
      for (const k of names.flat()) if (o != null && k in o && !UNSAFE.has(k)) out[k] = o[k];
      return out;
    },
    omit(o, ...names) {
      const drop = new Set(names.flat());
      const out = {};
      if (o != null) for (const k of Object.keys(o)) if (!drop.has(k) && !UNSAFE.has(k)) out[k] = o[k];
      return out;
    },
    shuffle(list) {
      const a = Array.from(list || []);
      for (let i = a.length - 1; i > 0; i--) { const j = Math.floor(Math.random() * (i + 1)); [a[i], a[j]] = [a[j], a[i]]; }
      return a;
    },
  };
  Object.freeze(helpers);
  R.family(Object.keys(helpers), helpers);
})(__pv);
