// Walks everything page code can reach and reports what it must not find (tests/render/test_sandbox.py).
//
// roots: [[label, value, shared]]; shared roots (globals, intrinsics) are walked first, and
// every object reached from them must be frozen. Every object reached at all is stamped with
// this request's secret, so a later request that finds a stamp has found a shared writable object.
// Getters are called (with their holder as `this`): closures' exposed values count too.
module.exports = function walk(roots, own) {
  const STAMP = Symbol.for('pv.stamp');
  const SECRET = /SECRET-[0-9a-z]+/g;
  const seen = new Set();
  const found = { host: [], foreign: [], unfrozen: [], stamped: [], count: 0 };
  const note = (list, text) => { if (list.length < 20) list.push(text); };
  for (const phase of [true, false]) {
    const todo = roots.filter((r) => r[2] === phase).map((r) => [r[0], r[1]]);
    for (let i = 0; i < todo.length && found.count < 100000; i++) {
      const [path, v] = todo[i];
      if (typeof v === 'string') {
        for (const m of v.match(SECRET) || []) if (m !== own) note(found.foreign, path + ' = ' + m);
        continue;
      }
      if (v === null || (typeof v !== 'object' && typeof v !== 'function') || seen.has(v)) continue;
      seen.add(v);
      found.count++;
      const nameDesc = typeof v === 'function' ? Object.getOwnPropertyDescriptor(v, 'name') : undefined;
      if (nameDesc && /call_python|pvEntry/.test(String(nameDesc.value))) note(found.host, path);
      if (phase && !Object.isFrozen(v) && v !== globalThis) note(found.unfrozen, path);
      const stamp = Object.getOwnPropertyDescriptor(v, STAMP);
      if (stamp && stamp.value !== own) note(found.stamped, path + ' by ' + stamp.value);
      if (!stamp) { try { Object.defineProperty(v, STAMP, { value: own, configurable: true }); } catch (e) { /* frozen */ } }
      todo.push([path + '.__proto__', Object.getPrototypeOf(v)]);
      for (const key of Reflect.ownKeys(v)) {
        const d = Object.getOwnPropertyDescriptor(v, key);
        if (!d || key === STAMP) continue;
        const at = path + '.' + String(key);
        if ('value' in d) { todo.push([at, d.value]); continue; }
        todo.push([at + '<get>', d.get], [at + '<set>', d.set]);
        if (d.get) { try { todo.push([at, d.get.call(v)]); } catch (e) { /* a getter for another kind of object */ } }
      }
    }
  }
  return found;
};
