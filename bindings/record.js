// PocketBase's `Record` (and, in pages, `$app`): the one JavaScript home of both, loaded by the page
// interpreter (bindings/app.py's family) and by every migration's interpreter (runtime/render/migrate.py).
//
// A record's values live in Python (bindings/app_session.py), where fields.py applies Go's casts exactly.
// Here a record holds a handle, the `set`s not yet sent, and the row of raw values Python last sent
// (bindings/record_wire.py), from which record_values.js answers every getter and the public export. A read
// with sets pending sends them first (one crossing for any number of sets); `$app.save(record)` sends them
// with the save. Reads cost no crossing otherwise. What a reply carries is kept per request (its `wire`):
// collections and rows by handle, so a later reply leaves out what JavaScript already holds.
// Errors are thrown as the binary's JSVM throws a Go error: name `GoError`, the Go text as message, and
// `value` (whose JSON is the field -> message map of a validation error).
(function (G) {
  'use strict';
  const R = G.__pv;  // the page runtime; undefined in a migration's interpreter
  const V = G.__pvRecordValues;  // record_values.js, loaded just before
  delete G.__pvRecordValues;
  function call(name, args) {
    const answer = R ? R.py('pv_app.' + name, args) : G.call_python.apply(null, ['pv_record.' + name].concat(args));
    if (answer && answer.error !== undefined) throw goError(answer.error, answer.fields, answer.codes);
    return answer ? answer.ok : undefined;
  }

  class GoError extends Error {}
  Object.defineProperty(GoError.prototype, 'name', { value: 'GoError', writable: true, configurable: true });
  function goError(message, fields, codes) {
    const err = new GoError(message);
    // A validation error's [field, code, message]s: what a hook route answers when it is not caught (hooks.js).
    if (codes) Object.defineProperty(err, 'pvInvalid', { value: Object.keys(codes).map((k) => [k, codes[k], fields[k]]) });
    const value = {
      error() { return message; },
      filter() { return value; },
      marshalJSON() { return JSON.stringify(fields || {}); },
    };
    Object.defineProperty(value, 'toJSON', { value() { return Object.assign({}, fields || {}); } });
    Object.defineProperty(value, 'toString', { value() { return message; } });
    err.value = value;
    return err;
  }

  // types.DateTime as the JSVM shows it: string(), isZero(), and its text in JSON.
  class DateTime {
    constructor(text) { Object.defineProperty(this, 's', { value: String(text || '') }); }
    string() { return this.s; }
    isZero() { return this.s === ''; }
    toString() { return this.s; }
    toJSON() { return this.s; }
  }

  // A record's state, in a private field of the Record (page code can neither read nor forge one):
  // {h: Python handle (0: not yet made), c: the collection given (or null), ops: sets not yet sent (or null),
  //  k: collection schema, n: isNew, v: the reply's run holding its values (from v[o], no copy made), u: custom
  //  values, x: the reply's expand links (this record's at xp), xb: their handles' base, w: its wire, r: the
  //  Record (null until page code reaches it)}. k, n, v, o, u and x are the row Python sent (v null: none yet), so
  //  the state is the row record_values.js reads.
  let state, current, isRecord, made = null;
  const MAKE = {};  // the constructor's token for a record of the wire (never reachable from page code)
  // What most records never set is inherited (QuickJS makes a 7-property literal in half the time of a
  // 14-property one: a list of records makes one state each). STATE is reachable from no global, so nothing
  // freezes it, and an assignment makes the record's own property.
  const STATE = { c: null, u: undefined, x: undefined, xp: 0, xb: 0, s: null };
  function newState(h, w, k, n, v, o) {
    return { __proto__: STATE, h: h, ops: null, k: k, n: n, v: v, o: o, w: w, r: null };
  }
  // What the next call sends for the record: its bare handle when nothing is pending, else {h, ops(, c)}.
  function ref(st) {
    const ops = st.ops;
    if (st.h && ops === null) return st.h;
    st.ops = null;
    const out = { h: st.h, ops: ops || [] };
    if (!st.h) out.c = typeof st.c === 'string' ? st.c : String(st.c.id || st.c.name || '');
    return out;
  }
  // One request's (or one migration's) records as Python sent them: schemas by collection id, states by
  // handle (one Record per handle, so a related record reached twice is one object).
  const wires = new WeakMap();  // the page runtime's request state -> its wire
  let ownWire = null;  // a migration's interpreter runs one file
  // d: runInTransaction depth, a: what waits for the outermost commit (record hooks' ...Success events).
  function newWire() { return { specs: new Map(), states: new Map(), d: 0, a: null }; }
  // A request's records are cycles (the wire holds each state, which holds the wire; a state and its Record hold
  // each other) that only QuickJS's collector would free, a walk of the whole runtime every few pages of records.
  // Once the request is over nothing reads them again (render.js calls this): the links are cut, so reference
  // counting frees them as the page's own references go.
  if (R) {
    R.releases.push(function (key) {
      const w = wires.get(key);
      if (w === undefined) return;
      wires.delete(key);
      for (const st of w.states.values()) st.r = null;
      w.states.clear();
      w.specs.clear();
      w.a = null;
    });
  }
  function wire() {
    const key = R ? R.state : null;
    if (!key) return ownWire || (ownWire = newWire());
    let w = wires.get(key);
    if (w === undefined) { w = newWire(); wires.set(key, w); }
    return w;
  }
  // A reply's records (bindings/record_wire.py): handles travel as offsets from its base `b`; each run holds the
  // records of one collection flat, a handle then as many values as the collection has fields.
  function absorb(answer) {
    const w = wire(), states = w.states;
    const b = answer.b, k = answer.k, r = answer.r, u = answer.u, x = answer.x;
    if (k) for (const id of Object.keys(k)) w.specs.set(id, V.schema(k[id]));
    for (let i = 0; i < r.length; i++) {
      const run = r[i], spec = w.specs.get(run[0]), isNew = run[1], n = spec.f.length;
      for (let p = 2; p < run.length; p += n + 1) {
        const h = b + run[p], st = states.get(h);
        if (st === undefined) states.set(h, newState(h, w, spec, isNew, run, p + 1));
        else { st.k = spec; st.n = isNew; st.v = run; st.o = p + 1; st.u = undefined; st.x = undefined; }
      }
    }
    if (u) for (let i = 0; i < u.length; i += 2) w.states.get(b + u[i]).u = u[i + 1];
    if (x) {  // [handle, count, (relation, multiple, n, n handles) per relation] per record: kept, read by `link`
      for (let i = 0; i < x.length;) {
        const st = w.states.get(b + x[i]), count = x[i + 1];
        if (st !== undefined) { st.x = x; st.xp = i; st.xb = b; }
        i += 2;
        for (let c = 0; c < count; c++) i += 3 + x[i + 2];
      }
    }
    return w;
  }
  // The offset of the i-th record a reply lists (`l`: the offsets, or n for 0..n-1).
  function listed(answer, i) { const l = answer.l; return typeof l === 'number' ? i : l[i]; }
  // The record of handle `h` in the wire `w`.
  function packed(w, h) {
    const st = w.states.get(h);
    if (st.r !== null) return st.r;
    made = st;
    const record = new Record(MAKE);  // which cannot throw
    made = null;
    return record;
  }
  // The state `st` (of a record page code holds) is the one of handle `h` of this reply's wire.
  function bind(w, st, h) {
    const got = w.states.get(h);
    if (got !== st) {
      if (got !== undefined) { st.k = got.k; st.n = got.n; st.v = got.v; st.o = got.o; st.u = got.u; st.x = got.x; st.xp = got.xp; st.xb = got.xb; }
      st.h = h;
      st.w = w;
      w.states.set(h, st);
    }
    return st;
  }
  function take(st, answer) { return bind(absorb(answer), st, answer.b + listed(answer, 0)); }
  // The state with its row current: pending sets sent (and the row of a record never read) first.
  function ready(st) {
    if (st.ops !== null || st.v === null) take(st, call('sync', [ref(st)]));
    return st;
  }
  function pending(st) { return st.ops || (st.ops = []); }
  function shown(st) { return st.s || (st.s = { h: {}, u: {}, c: false, e: false }); }
  const G_GET = 0, G_STRING = 1, G_INT = 2, G_FLOAT = 3, G_BOOL = 4, G_DATE = 5, G_SLICE = 6;
  function getter(record, name, which) { return V.read(current(record), typeof name === 'string' ? name : String(name), which); }
  // Where relation `name` of an expanded record sits in its reply's links `st.x` (at `multiple, n, handle
  // offsets...`), or -1.
  function link(st, name) {
    const x = st.x;
    if (!x) return -1;
    const key = typeof name === 'string' ? name : String(name);
    let i = st.xp + 2;
    for (let c = x[st.xp + 1]; c > 0; c--) {
      if (x[i] === key) return i + 1;
      i += 3 + x[i + 2];
    }
    return -1;
  }
  // The expanded record's links as {relation: [multiple, [handle offset...]]} (undefined: never expanded).
  function links(st) {
    const x = st.x;
    if (!x) return undefined;
    const out = {};
    let i = st.xp + 2;
    for (let c = x[st.xp + 1]; c > 0; c--) {
      out[x[i]] = [x[i + 1], x.slice(i + 3, i + 3 + x[i + 2])];
      i += 3 + x[i + 2];
    }
    return out;
  }

  class Record {
    #s;
    constructor(collection, data) {
      if (collection === MAKE && made !== null) {
        this.#s = made;
        made.r = this;
        return;
      }
      if (collection === null || (typeof collection !== 'object' && typeof collection !== 'string')) {
        throw new TypeError('new Record(collection, data?): collection must be a collection or its name or id');
      }
      const st = newState(0, null, null, false, null, 0);
      st.c = collection;
      st.r = this;
      if (data !== null && typeof data === 'object') for (const key of Object.keys(data)) pending(st).push([key, data[key]]);
      this.#s = st;
    }
    static {
      isRecord = (model) => model !== null && typeof model === 'object' && #s in model;
      state = (record) => {
        if (record === null || typeof record !== 'object' || !(#s in record)) throw new TypeError('pagesvm: not a Record');
        return record.#s;
      };
      // The state with its row current (ready), in one call: what every getter starts with.
      current = (record) => {
        if (record === null || typeof record !== 'object' || !(#s in record)) throw new TypeError('pagesvm: not a Record');
        const st = record.#s;
        return st.ops !== null || st.v === null ? ready(st) : st;
      };
    }
    get id() { return V.recordId(current(this)); }
    set id(value) { pending(state(this)).push(['id', value]); }
    collection() { const st = state(this); return st.c !== null && typeof st.c === 'object' ? st.c : ready(st).k.c; }
    isNew() { return current(this).n; }
    set(name, value) { pending(state(this)).push([String(name), value]); }
    load(data) { for (const key of Object.keys(data || {})) this.set(key, data[key]); }
    get(name) { return getter(this, name, G_GET); }
    getString(name) { return getter(this, name, G_STRING); }
    getInt(name) { return getter(this, name, G_INT); }
    getFloat(name) { return getter(this, name, G_FLOAT); }
    getBool(name) { return getter(this, name, G_BOOL); }
    getDateTime(name) { return new DateTime(getter(this, name, G_DATE)); }
    getStringSlice(name) { return getter(this, name, G_SLICE); }
    email() { return this.getString('email'); }
    setEmail(value) { this.set('email', value); }
    verified() { return this.getBool('verified'); }
    setVerified(value) { this.set('verified', value); }
    tokenKey() { return this.getString('tokenKey'); }
    setPassword(plain) { this.set('password', plain); }
    validatePassword(plain) {
      const st = state(this);
      const answer = call('check', [ref(st), String(plain)]);
      take(st, answer);
      return answer.ok === true;
    }
    // What `expandRecord(s)` loaded: the first related record (or null), all of them (or []).
    expandedOne(name) {
      const st = current(this);
      const at = link(st, name);
      return at >= 0 && st.x[at + 1] ? packed(st.w, st.xb + st.x[at + 2]) : null;
    }
    expandedAll(name) {
      const st = current(this);
      const at = link(st, name);
      if (at < 0) return [];
      const x = st.x, out = new Array(x[at + 1]);
      for (let j = 0; j < out.length; j++) out[j] = packed(st.w, st.xb + x[at + 2 + j]);
      return out;
    }
    // What the REST API shows of the record (onRecordEnrich hooks, runtime/hooks/js/api_hooks.js): kept in its
    // state as st.s = {h: hidden names, u: unhidden names, c: custom data shown, e: email shown}.
    hide(...names) { const s = shown(state(this)); for (const n of names.flat()) { s.h[String(n)] = true; delete s.u[String(n)]; } return this; }
    unhide(...names) { const s = shown(state(this)); for (const n of names.flat()) { s.u[String(n)] = true; delete s.h[String(n)]; } return this; }
    withCustomData(on) { shown(state(this)).c = !!on; return this; }
    ignoreEmailVisibility(on) { shown(state(this)).e = !!on; return this; }
    publicExport() { return exported(current(this), false, 0); }
    // Go's json.Marshal of the export: keys sorted (publicExport() keeps field order; Go's is random).
    toJSON() { return exported(current(this), true, 0); }  // String(record) stays '[object Object]', as in the JSVM
  }

  // A record's export with its `expand` (present once expanded, `{}` when nothing was found), as the binary;
  // `sort`: each record's keys (and its expand's) in Go's json.Marshal order.
  function exported(row, sort, depth) {
    const e = V.exportRow(row);
    const out = {};
    for (const key of sort ? Object.keys(e).sort() : Object.keys(e)) out[key] = e[key];
    const x = links(row);
    if (x && depth < 16) {
      out.expand = {};
      for (const name of sort ? Object.keys(x).sort() : Object.keys(x)) {
        const [multiple, handles] = x[name];
        const all = handles.map((o) => exported(row.w.states.get(row.xb + o), sort, depth + 1));
        out.expand[name] = multiple ? all : all[0];
      }
      if (sort) return Object.fromEntries(Object.entries(out).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
    }
    return out;
  }
  function fromList(answer) {
    const w = absorb(answer), b = answer.b, l = answer.l;
    if (typeof l === 'number') {
      const out = new Array(l);
      for (let i = 0; i < l; i++) out[i] = packed(w, b + i);
      return out;
    }
    const out = new Array(l.length);
    for (let i = 0; i < l.length; i++) out[i] = packed(w, b + l[i]);
    return out;
  }
  function fromAnswer(answer, collection) {
    const record = packed(absorb(answer), answer.b + listed(answer, 0));
    if (collection) state(record).c = collection;
    return record;
  }
  // One step of a save or delete: `save` whole, or (record hooks) `validate`/`write`; `delete`.
  function step(record, name, which) {
    const st = state(record);
    take(st, call(name, which === undefined ? [ref(st)] : [ref(st), which]));
  }
  // `later(committed, error)` once the outermost transaction ends (now when none is open).
  function afterCommit(later) {
    const w = wire();
    if (w.d === 0) return later(true);
    (w.a || (w.a = [])).push(later);
  }
  // Inside the page's $app.runInTransaction (record_hooks.js: a Python binding's save inside its own one).
  function inTransaction() { return wire().d > 0; }
  // The record's collection as the API shows it (`name`, `id`): record hooks' filters.
  function collectionOf(record) { return current(record).k.c; }
  function collectionKey(collection) {
    return collection !== null && typeof collection === 'object' ? String(collection.id || collection.name || '') : String(collection);
  }

  // The record half of `$app` (pages) and of a migration's `app`.
  const records = {
    isRecord(model) { return isRecord(model); },
    // For app_query.js, loaded next: the query methods over the same records.
    kit: { call, state, ref, absorb, listed, links, bind, fromAnswer, fromList, collectionKey, goError, step, afterCommit, inTransaction, collectionOf,
      transaction(fn) { records.runInTransaction(fn); } },
    // With pb_hooks record hooks, runtime/hooks/js/record_hooks.js sets R.recordWrite and drives the chain
    // around the steps (kit.step); without any, a save is the one crossing it always was.
    // In a migration's interpreter runtime/hooks/js/migration_hooks.js sets records.recordWrite the same way.
    save(record) { const hooked = R ? R.recordWrite : records.recordWrite; if (hooked) return hooked('save', record); step(record, 'save'); },
    delete(record) { const hooked = R ? R.recordWrite : records.recordWrite; if (hooked) return hooked('delete', record); step(record, 'delete'); },
    findRecordById(collection, id) {
      return fromAnswer(call('find', [collectionKey(collection), String(id)]), typeof collection === 'object' ? collection : null);
    },
    // The callback's return value must be nothing, as in the binary (which turns it into a Go error).
    runInTransaction(fn, txApp) {
      const w = wire();
      call('begin', []);
      w.d++;
      let ok = false, failure;
      try {
        const value = fn(txApp);
        if (value !== undefined && value !== null) throw goError('could not convert ' + String(value) + ' to error');
        ok = true;
      } catch (err) {
        failure = err;
        throw err;
      } finally {
        w.d--;
        call(ok ? 'commit' : 'rollback', []);
        if (w.d === 0 && w.a !== null) {
          const waiting = w.a;
          w.a = null;
          for (const later of waiting) later(ok, failure);
        }
      }
    },
  };

  G.Record = Record;
  if (!R) {
    G.__pvRecords = records;
    return;
  }
  R.appKit = records.kit;
  R.goError = goError;  // the other JSVM globals (security.js, os_api.js…) throw the same GoError
  const app = {
    save(model) {
      if (!isRecord(model)) throw new Error('pagesvm: $app.save() in a page takes a Record (collections are saved in migrations)');
      records.save(model);
    },
    delete(model) {
      if (!isRecord(model)) throw new Error('pagesvm: $app.delete() in a page takes a Record');
      records.delete(model);
    },
    findCollectionByNameOrId(key) { return call('collection', [String(key)]); },
    findRecordById(collection, id) { return records.findRecordById(collection, id); },
    runInTransaction(fn) { records.runInTransaction(fn, app); },
  };
  G.$app = app;
  R.shared.push(GoError, DateTime);
})(globalThis);
