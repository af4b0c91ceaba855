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
    if (answer && answer.error !== undefined) throw goError(answer.error, answer.fields);
    return answer ? answer.ok : undefined;
  }

  class GoError extends Error {}
  Object.defineProperty(GoError.prototype, 'name', { value: 'GoError', writable: true, configurable: true });
  function goError(message, fields) {
    const err = new GoError(message);
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

  // record -> {h: Python handle (0: not yet made), c: the collection given (or null), ops: sets not yet sent,
  // t: its row {k: collection schema, n: isNew, v: values, u: custom values, x: expand links, w: its wire}}
  const states = new WeakMap();
  function state(record) {
    const st = states.get(record);
    if (st === undefined) throw new TypeError('pagesvm: not a Record');
    return st;
  }
  function ref(st) {
    const out = { h: st.h, ops: st.ops };
    if (!st.h) out.c = typeof st.c === 'string' ? st.c : String(st.c.id || st.c.name || '');
    st.ops = [];
    return out;
  }
  // One request's (or one migration's) records as Python sent them: schemas by collection id, rows and
  // Record objects by handle (one object per handle, so a related record reached twice is one object).
  const wires = new WeakMap();  // the page runtime's request state -> its wire
  let ownWire = null;  // a migration's interpreter runs one file
  function newWire() { return { specs: new Map(), rows: new Map(), objs: new Map() }; }
  function wire() {
    const key = R ? R.state : null;
    if (!key) return ownWire || (ownWire = newWire());
    let w = wires.get(key);
    if (w === undefined) { w = newWire(); wires.set(key, w); }
    return w;
  }
  function absorb(answer) {
    const w = wire();
    const k = answer.k, r = answer.r, x = answer.x;
    if (k) for (const id of Object.keys(k)) w.specs.set(id, V.schema(k[id]));
    for (const key in r) {
      const h = Number(key), a = r[key];
      const row = { k: w.specs.get(a[0]), n: a[1], v: a[2], u: a[3], x: undefined, w: w };
      w.rows.set(h, row);
      const known = w.objs.get(h);
      if (known !== undefined) states.get(known).t = row;
    }
    if (x) for (const key in x) { const row = w.rows.get(Number(key)); if (row !== undefined) row.x = x[key]; }
    return w;
  }
  // The record of handle `h` in the wire `w`.
  function packed(w, h) {
    let record = w.objs.get(h);
    if (record === undefined) {
      record = Object.create(Record.prototype);
      states.set(record, { h: h, c: null, ops: [], t: w.rows.get(h) });
      w.objs.set(h, record);
    }
    return record;
  }
  // `record` is the one of handle `h` of this reply's wire.
  function bind(w, record, h) {
    const st = state(record);
    st.h = h;
    st.t = w.rows.get(h);
    w.objs.set(h, record);
    return st;
  }
  function take(record, answer) { return bind(absorb(answer), record, answer.l[0]); }
  function table(record) {
    const st = state(record);
    if (st.t === null || st.ops.length) take(record, call('sync', [ref(st)]));
    return st.t;
  }
  const G_GET = 0, G_STRING = 1, G_INT = 2, G_FLOAT = 3, G_BOOL = 4, G_DATE = 5, G_SLICE = 6;
  function getter(record, name, which) { return V.read(table(record), String(name), which); }

  class Record {
    constructor(collection, data) {
      if (collection === null || (typeof collection !== 'object' && typeof collection !== 'string')) {
        throw new TypeError('new Record(collection, data?): collection must be a collection or its name or id');
      }
      const st = { h: 0, c: collection, ops: [], t: null };
      if (data !== null && typeof data === 'object') for (const key of Object.keys(data)) st.ops.push([key, data[key]]);
      states.set(this, st);
    }
    get id() { return V.recordId(table(this)); }
    set id(value) { state(this).ops.push(['id', value]); }
    collection() { const st = state(this); return st.c !== null && typeof st.c === 'object' ? st.c : table(this).k.c; }
    isNew() { return table(this).n; }
    set(name, value) { state(this).ops.push([String(name), value]); }
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
      take(this, answer);
      return answer.ok === true;
    }
    // What `expandRecord(s)` loaded: the first related record (or null), all of them (or []).
    expandedOne(name) { const all = expanded(this, name); return all.length ? all[0] : null; }
    expandedAll(name) { return expanded(this, name); }
    publicExport() { return exported(table(this), false, 0); }
    // Go's json.Marshal of the export: keys sorted (publicExport() keeps field order; Go's is random).
    toJSON() { return exported(table(this), true, 0); }  // String(record) stays '[object Object]', as in the JSVM
  }

  // A record's export with its `expand` (present once expanded, `{}` when nothing was found), as the binary;
  // `sort`: each record's keys (and its expand's) in Go's json.Marshal order.
  function exported(row, sort, depth) {
    const e = V.exportRow(row);
    const out = {};
    for (const key of sort ? Object.keys(e).sort() : Object.keys(e)) out[key] = e[key];
    if (row.x && depth < 16) {
      out.expand = {};
      for (const name of sort ? Object.keys(row.x).sort() : Object.keys(row.x)) {
        const [multiple, handles] = row.x[name];
        const all = handles.map((h) => exported(row.w.rows.get(h), sort, depth + 1));
        out.expand[name] = multiple ? all : all[0];
      }
      if (sort) return Object.fromEntries(Object.entries(out).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
    }
    return out;
  }
  function expanded(record, name) {
    const row = table(record);
    const found = row.x && Object.prototype.hasOwnProperty.call(row.x, String(name)) ? row.x[String(name)] : null;
    return found ? found[1].map((h) => packed(row.w, h)) : [];
  }
  function fromList(answer) {
    const w = absorb(answer);
    return answer.l.map((h) => packed(w, h));
  }
  function fromAnswer(answer, collection) {
    const record = packed(absorb(answer), answer.l[0]);
    if (collection) state(record).c = collection;
    return record;
  }
  function collectionKey(collection) {
    return collection !== null && typeof collection === 'object' ? String(collection.id || collection.name || '') : String(collection);
  }

  // The record half of `$app` (pages) and of a migration's `app`.
  const records = {
    isRecord(model) { return states.has(model); },
    // For app_query.js, loaded next: the query methods over the same records.
    kit: { call, state, ref, absorb, bind, fromAnswer, fromList, collectionKey, goError },
    save(record) { take(record, call('save', [ref(state(record))])); },
    delete(record) { take(record, call('delete', [ref(state(record))])); },
    findRecordById(collection, id) {
      return fromAnswer(call('find', [collectionKey(collection), String(id)]), typeof collection === 'object' ? collection : null);
    },
    // The callback's return value must be nothing, as in the binary (which turns it into a Go error).
    runInTransaction(fn, txApp) {
      call('begin', []);
      let ok = false;
      try {
        const value = fn(txApp);
        if (value !== undefined && value !== null) throw goError('could not convert ' + String(value) + ' to error');
        ok = true;
      } finally {
        call(ok ? 'commit' : 'rollback', []);
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
      if (!states.has(model)) throw new Error('pagesvm: $app.save() in a page takes a Record (collections are saved in migrations)');
      records.save(model);
    },
    delete(model) {
      if (!states.has(model)) throw new Error('pagesvm: $app.delete() in a page takes a Record');
      records.delete(model);
    },
    findCollectionByNameOrId(key) { return call('collection', [String(key)]); },
    findRecordById(collection, id) { return records.findRecordById(collection, id); },
    runInTransaction(fn) { records.runInTransaction(fn, app); },
  };
  G.$app = app;
  R.shared.push(GoError, DateTime);
})(globalThis);
