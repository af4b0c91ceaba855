// Stubs for the Python bindings in the registry: `greet(…)` or `shop.price(…)` in a page
// becomes one call into Python (R.py). Two kinds cost no round trip of their own:
// deferred bindings (logging, fire-and-forget) are queued and travel with the next call;
// cached bindings (pure functions) answer repeated calls with the same JSON arguments
// from a per-request memo, as a fresh copy so a page cannot alter what the next call sees.
(function (R) {
  'use strict';
  const slice = Array.prototype.slice;

  function cached(name) {
    return function () {
      const args = slice.call(arguments);
      const st = R.state;
      const memo = st.memo || (st.memo = new Map());
      const key = name + '\0' + JSON.stringify(args);
      let hit = memo.get(key);
      if (hit === undefined) {
        const value = R.py(name, args);
        // Primitives are kept as they are; objects as JSON text, parsed into a fresh copy per call.
        hit = value !== null && typeof value === 'object' ? { text: JSON.stringify(value) } : { value };
        memo.set(key, hit);
      }
      return hit.text === undefined ? hit.value : JSON.parse(hit.text);
    };
  }

  function stub(b) {
    const name = b.name;
    if (b.defer) return function () { R.defer(name, slice.call(arguments)); };
    if (b.cache) return cached(name);
    return function (...args) { return R.py(name, args); };
  }

  // Build the tree of stubs: `shop.price` becomes `shop = {price: stub}` (frozen).
  function tree(list) {
    const top = {};
    for (const b of list) {
      const path = b.name.split('.');
      let holder = top;
      for (let i = 0; i < path.length - 1; i++) {
        holder = holder[path[i]] = holder[path[i]] || {};
      }
      holder[path[path.length - 1]] = stub(b);
    }
    (function freezeTree(o) { for (const k of Object.keys(o)) freezeTree(o[k]); Object.freeze(o); })(top);
    return top;
  }

  function install(list) {
    const top = tree(list);
    const names = Object.keys(top);
    R.family(names, top);
    return names;
  }

  // Python bindings, installed before the JavaScript halves of families load.
  R.installBindings = install;
  // Python bindings that replaced (override=True) a name implemented in JavaScript:
  // installed after every family, so the Python version is the one pages see.
  R.installOverrides = install;
})(__pv);
