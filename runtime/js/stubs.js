// Stubs for the Python bindings in the registry: `greet(…)` or `shop.price(…)` in a page
// becomes one call into Python. Deferred bindings (logging, fire-and-forget) are queued
// and cost no round trip of their own.
(function (R) {
  'use strict';
  function stub(name, deferred) {
    if (deferred) return function () { R.defer(name, Array.prototype.slice.call(arguments)); };
    return function () { return R.py(name, Array.prototype.slice.call(arguments)); };
  }

  R.installBindings = function (list) {
    const top = {};
    for (const b of list) {
      const path = b.name.split('.');
      let holder = top;
      for (let i = 0; i < path.length - 1; i++) {
        holder = holder[path[i]] = holder[path[i]] || {};
      }
      holder[path[path.length - 1]] = stub(b.name, b.defer);
    }
    (function freezeTree(o) { for (const k of Object.keys(o)) freezeTree(o[k]); Object.freeze(o); })(top);
    const names = Object.keys(top);
    R.family(names, function (api) {
      for (const n of names) api[n] = top[n];
    });
    return names;
  };
})(__pv);
