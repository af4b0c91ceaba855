// PocketBase's `Record` (and, in pages, `$app`): the one JavaScript home of both, loaded by the page
// interpreter (bindings/app.py's family) and by every migration's interpreter (runtime/render/migrate.py).
//
// A record's values live in Python (bindings/app_session.py), where fields.py applies Go's casts exactly.
// Here a record holds a handle, the `set`s not yet sent, and the last table Python answered: every field's
// `get` and typed getters, its public export. A read with sets pending sends them first (one crossing for
// any number of sets); `$app.save(record)` sends them with the save. Reads cost no crossing otherwise.
// Errors are thrown as the binary's JSVM throws a Go error: name `GoError`, the Go text as message, and
// `value` (whose JSON is the field -> message map of a validation error).
(function (G) {
  'use strict';
  const R = G.__pv;  // the page runtime; undefined in a migration's interpreter
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

  // record -> {h: Python handle (0: not yet made), c: collection, ops, t, m: the tables its expand reaches by
  // handle, o: the records made from m, so one related record is one object however often it is reached}
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
  function take(st, answer) {
    st.h = answer.h;
    st.t = answer.t;
    if (answer.m) { st.m = answer.m; st.o = new Map(); }
    return st;
  }
  function table(record) {
    const st = state(record);
    if (st.t === null || st.ops.length) take(st, call('sync', [ref(st)]));
    return st.t;
  }
  const G_GET = 0, G_STRING = 1, G_INT = 2, G_FLOAT = 3, G_BOOL = 4, G_DATE = 5, G_SLICE = 6;
  function getter(record, name, which) {
    const row = table(record).f[String(name)];
    if (row === undefined) return [null, '', 0, 0, false, '', []][which];
    const value = row[which];
    return value !== null && typeof value === 'object' ? JSON.parse(JSON.stringify(value)) : value;
  }

  class Record {
    constructor(collection, data) {
      if (collection === null || (typeof collection !== 'object' && typeof collection !== 'string')) {
        throw new TypeError('new Record(collection, data?): collection must be a collection or its name or id');
      }
      const st = { h: 0, c: collection, ops: [], t: null };
      if (data !== null && typeof data === 'object') for (const key of Object.keys(data)) st.ops.push([key, data[key]]);
      states.set(this, st);
    }
    get id() { return table(this).id; }
    set id(value) { state(this).ops.push(['id', value]); }
    collection() { const st = state(this); return typeof st.c === 'string' ? table(this).c : st.c; }
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
      take(st, answer);
      return answer.ok === true;
    }
    // What `expandRecord(s)` loaded: the first related record (or null), all of them (or []).
    expandedOne(name) { const all = expanded(this, name); return all.length ? all[0] : null; }
    expandedAll(name) { return expanded(this, name); }
    publicExport() { const st = state(this); table(this); return exported(st.t, st.m, false, 0); }
    // Go's json.Marshal of the export: keys sorted (publicExport() keeps field order; Go's is random).
    toJSON() { const st = state(this); table(this); return exported(st.t, st.m, true, 0); }  // String(record) stays '[object Object]', as in the JSVM
  }

  // A record's export with its `expand` (present once expanded, `{}` when nothing was found), as the binary;
  // `sort`: each record's keys (and its expand's) in Go's json.Marshal order.
  function exported(t, m, sort, depth) {
    const e = JSON.parse(t.e);  // JSON text (app_session.py's _export_text): parsed afresh, never shared
    const out = {};
    for (const key of sort ? Object.keys(e).sort() : Object.keys(e)) out[key] = e[key];
    if (t.x && depth < 16) {
      out.expand = {};
      for (const name of sort ? Object.keys(t.x).sort() : Object.keys(t.x)) {
        const [multiple, handles] = t.x[name];
        const all = handles.map((h) => exported(m[h], m, sort, depth + 1));
        out.expand[name] = multiple ? all : all[0];
      }
      if (sort) return Object.fromEntries(Object.entries(out).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
    }
    return out;
  }
  function expanded(record, name) {
    const st = state(record);
    const x = table(record).x;
    const found = x && x[String(name)];
    return found ? found[1].map((h) => packed(st.m, st.o, h)) : [];
  }
  // The record of handle `h` in a reply's table map `m` (objects cached in `o`).
  function packed(m, o, h) {
    let record = o.get(h);
    if (record === undefined) {
      record = Object.create(Record.prototype);
      states.set(record, { h: h, c: m[h].c, ops: [], t: m[h], m: m, o: o });
      o.set(h, record);
    }
    return record;
  }
  function fromList(answer) {
    const o = new Map();
    return answer.l.map((h) => packed(answer.m, o, h));
  }
  function fromAnswer(answer, collection) {
    const record = Object.create(Record.prototype);
    states.set(record, { h: answer.h, c: collection || answer.t.c, ops: [], t: answer.t, m: answer.m || {}, o: new Map() });
    return record;
  }
  function collectionKey(collection) {
    return collection !== null && typeof collection === 'object' ? String(collection.id || collection.name || '') : String(collection);
  }

  // The record half of `$app` (pages) and of a migration's `app`.
  const records = {
    isRecord(model) { return states.has(model); },
    // For app_query.js, loaded next: the query methods over the same records.
    kit: { call, state, ref, take, fromAnswer, fromList, collectionKey, goError },
    save(record) { const st = state(record); take(st, call('save', [ref(st)])); },
    delete(record) { const st = state(record); take(st, call('delete', [ref(st)])); },
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
