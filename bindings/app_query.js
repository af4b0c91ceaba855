// The query half of `$app` (and of a migration's `app`), `$dbx`, `DynamicModel`/`arrayOf` and the null helpers.
// Loaded right after record.js, whose records these methods answer (bindings/app_query.py is the Python half).
//
// `$dbx` expressions are plain data (`{__dbx: kind, ...}`) that cross to Python as JSON, where
// runtime/data/dbx.py turns them into parametrised SQL. A list of records crosses in one reply with every
// record's raw values (and those its expands reach; bindings/record_wire.py). `$app.store()` is this
// process's in-memory store, as PocketBase's app store: values stay JavaScript values (functions too) and
// never cross.
(function (G) {
  'use strict';
  const R = G.__pv;  // the page runtime; undefined in a migration's interpreter
  const K = R ? R.appKit : G.__pvRecords.kit;

  // -- $dbx -------------------------------------------------------------------------------------------------
  const LIKE_ESCAPE = ['\\', '\\\\', '%', '\\%', '_', '\\_'];
  // Only what `$dbx` made is an expression: Python takes any `{__dbx}` it receives for SQL, so request data
  // shaped like one (`{"__dbx": "exp", "sql": "1=1"}` in a JSON body) must cross as a value, never as itself.
  const MADE = new WeakSet();
  function expr(kind, fields) { const e = Object.assign({ __dbx: kind }, fields); MADE.add(e); return e; }
  function wire(e) {  // an expression's place: $dbx's own (its parts sent the same way), or null
    if (e === null || e === undefined) return null;
    if (!MADE.has(e)) throw new TypeError('pagesvm: not a $dbx expression');
    const out = {};
    for (const k of Object.keys(e)) {
      const v = e[k];
      out[k] = k === 'exp' ? wire(v) : k === 'exps' ? Array.from(v || [], wire)
        : k === 'values' && e.__dbx !== 'exp' ? Array.from(v || [], value)
        : k === 'data' && e.__dbx === 'hash' ? Object.fromEntries(Object.keys(v || {}).map((n) => [n, value(v[n])])) : v;
    }
    return out;
  }
  function value(v) {  // a value's place: an expression $dbx made, a list of values, or a value (objects as JSON)
    if (MADE.has(v)) return wire(v);
    if (Array.isArray(v)) return v.map(value);
    return v !== null && typeof v === 'object' ? JSON.stringify(v) : v;
  }
  function like(kind) {
    return function (col, ...values) {
      const e = expr(kind, { col: String(col), values: values.map(String), left: true, right: true, esc: LIKE_ESCAPE });
      Object.defineProperty(e, 'match', { value(left, right) { e.left = !!left; e.right = !!right; return e; } });
      Object.defineProperty(e, 'escape', { value(...chars) { e.esc = chars.map(String); return e; } });
      return e;
    };
  }
  const dbx = {
    exp(sql, params) { return expr('exp', { sql: String(sql), params: params || {} }); },
    hashExp(data) { return expr('hash', { data: Object.assign({}, data) }); },
    not(e) { return expr('not', { exp: e }); },
    and(...exps) { return expr('and', { exps }); },
    or(...exps) { return expr('or', { exps }); },
    in(col, ...values) { return expr('in', { col: String(col), values }); },
    notIn(col, ...values) { return expr('notIn', { col: String(col), values }); },
    like: like('like'), notLike: like('notLike'), orLike: like('orLike'), orNotLike: like('orNotLike'),
    exists(e) { return expr('exists', { exp: e }); },
    notExists(e) { return expr('notExists', { exp: e }); },
    between(col, from, to) { return expr('between', { col: String(col), from, to }); },
    notBetween(col, from, to) { return expr('notBetween', { col: String(col), from, to }); },
  };

  // -- DynamicModel, arrayOf and the null helpers: rows of a raw query filled as Go scans them ----------------
  const NULLABLE = new WeakMap();  // null helper marker -> its type
  function nullable(type) { return () => { const m = {}; NULLABLE.set(m, type); return m; }; }
  class DynamicModel {
    constructor(shape) {
      if (shape === null || typeof shape !== 'object' || !Object.keys(shape).length) throw new Error('[DynamicModel] missing shape data');
      const kinds = {};
      for (const key of Object.keys(shape).sort()) {
        const v = shape[key];
        kinds[key] = NULLABLE.has(v) ? ['null', NULLABLE.get(v)] : [typeof v, Array.isArray(v) ? 'array' : ''];
        this[key] = NULLABLE.has(v) ? null : JSON.parse(JSON.stringify(v));
      }
      Object.defineProperty(this, '__kinds', { value: kinds });
    }
  }
  function scanned(kind, value, key) {
    const [type, sub] = kind;
    const target = type === 'null' ? sub : type === 'object' ? (sub || 'object') : type;
    if (value === null) {
      if (type === 'null') return null;
      throw new Error('sql: Scan error on column "' + key + '": converting NULL to ' + target + ' is unsupported');
    }
    if (target === 'number') return Number(value);
    if (target === 'string') return String(value);
    if (target === 'boolean') return value === true || value === 1 || value === '1' || value === 'true';
    if (typeof value === 'string') { try { return JSON.parse(value); } catch (e) { return value; } }
    return value;
  }
  function fill(model, row) {
    for (const key of Object.keys(model.__kinds)) if (key in row) model[key] = scanned(model.__kinds[key], row[key], key);
    return model;
  }
  class ArrayOf extends Array {}
  function arrayOf(model) {
    const out = new ArrayOf();
    Object.defineProperty(out, '__model', { value: model });
    return out;
  }
  function copyOf(model) {
    const out = Object.create(DynamicModel.prototype);
    for (const k of Object.keys(model.__kinds)) out[k] = JSON.parse(JSON.stringify(model[k] === undefined ? null : model[k]));
    Object.defineProperty(out, '__kinds', { value: model.__kinds });
    return out;
  }

  function newQuery(sql) {
    const params = {};
    const run = (mode) => K.call('query', [String(sql), params, mode]);
    const query = {
      bind(values) { Object.assign(params, values || {}); return query; },
      execute() { run('execute'); },
      one(model) { const row = run('one'); if (model && model.__kinds) fill(model, row); else if (model) Object.assign(model, row); return model; },
      all(list) {
        const rows = run('all');
        if (!list) return rows;
        list.length = 0;
        for (const row of rows) list.push(list.__model && list.__model.__kinds ? fill(copyOf(list.__model), row) : row);
        return list;
      },
      column() { return run('all').map((row) => row[Object.keys(row)[0]]); },
    };
    return query;
  }

  // -- $app.store(): this process's values ------------------------------------------------------------------
  const stored = new Map();
  // A request that put a value in or took one out may have left its objects where later requests reach them (a
  // record in the store, or in an array the store holds): its own are then not released as it ends (render.js).
  function shared() { if (R && R.state) R.state.shared = true; }
  const appStore = {
    get(key) { shared(); return stored.has(String(key)) ? stored.get(String(key)) : null; },  // Go's nil, as the binary
    getOk(key) { return [appStore.get(key), stored.has(String(key))]; },
    has(key) { return stored.has(String(key)); },
    set(key, value) { shared(); stored.set(String(key), value); },
    setFunc(key, fn) { stored.set(String(key), fn(appStore.get(key))); },
    getOrSet(key, fn) { shared(); if (!stored.has(String(key))) stored.set(String(key), fn()); return stored.get(String(key)); },
    setIfLessThanLimit(key, value, limit) {
      if (stored.size >= limit && !stored.has(String(key))) return false;
      shared();
      stored.set(String(key), value);
      return true;
    },
    remove(key) { stored.delete(String(key)); },
    removeAll() { stored.clear(); },
    reset(data) { shared(); stored.clear(); for (const k of Object.keys(data || {})) stored.set(k, data[k]); },
    length() { return stored.size; },
    getAll() { shared(); return Object.fromEntries(stored); },
    values() { shared(); return Array.from(stored.values()); },
  };
  Object.freeze(appStore);  // one object every request of the worker gets: its values are shared, its methods not

  // -- the methods --------------------------------------------------------------------------------------------
  const key = K.collectionKey;
  const one = (name, args) => K.fromAnswer(K.call(name, args));
  function expand(records, paths, fetchFunc) {
    if (fetchFunc) throw new Error('pagesvm: expandRecord(s) takes no fetchFunc yet (pass null)');
    const states = records.map(K.state);
    const answer = K.call('expand', [states.map(K.ref), Array.from(paths || [], String)]);
    const w = K.absorb(answer), b = answer.b, l = answer.l, held = w.states;
    for (let i = 0; i < states.length; i++) {  // a record this wire holds at its handle already needs no bind
      const h = b + (typeof l === 'number' ? i : l[i]);
      if (held.get(h) !== states[i]) K.bind(w, states[i], h);
    }
    return answer.f;
  }
  function install(app) {
    Object.assign(app, {
      findRecordsByFilter(collection, filter, sort, limit, offset, params) {
        return K.fromList(K.call('filter', [key(collection), String(filter || ''), String(sort || ''), limit || 0, offset || 0, params || null]));
      },
      findFirstRecordByFilter(collection, filter, params) { return one('first', [key(collection), String(filter || ''), params || null]); },
      countRecords(collection, ...exprs) { return K.call('count', [key(collection), exprs.map(wire)]); },
      // The binary's extra arguments here are `(q) => ...` query callbacks, which Python cannot call back.
      findRecordsByIds(collection, ids, ...filters) {
        if (filters.some((f) => f !== null && f !== undefined)) throw new Error('pagesvm: findRecordsByIds takes no filter functions yet');
        return K.fromList(K.call('ids', [key(collection), Array.from(ids || [], String), []]));
      },
      findAllRecords(collection, ...exprs) { return K.fromList(K.call('all', [key(collection), exprs.map(wire)])); },
      findFirstRecordByData(collection, field, v) { return one('by_data', [key(collection), String(field), value(v)]); },
      findAuthRecordByEmail(collection, email) { return one('by_email', [key(collection), String(email)]); },
      findAuthRecordByToken(token, ...types) { return one('by_token', [String(token || ''), types.map(String)]); },
      expandRecord(record, paths, fetchFunc) { return expand([record], paths, fetchFunc); },
      expandRecords(records, paths, fetchFunc) { return expand(Array.from(records || []), paths, fetchFunc); },
      settings() { return K.call('settings', []); },
      db() { return { newQuery }; },
      store() { return appStore; },
    });
    app.dao = app.dao || (() => app);
    return app;
  }

  G.$dbx = dbx;
  G.DynamicModel = DynamicModel;
  G.arrayOf = arrayOf;
  G.nullString = nullable('string');
  G.nullFloat = nullable('number');
  G.nullInt = nullable('number');
  G.nullBool = nullable('boolean');
  G.nullArray = nullable('array');
  G.nullObject = nullable('object');
  if (!R) {
    G.__pvQueries = install;
    return;
  }
  install(G.$app);
  R.shared.push(DynamicModel, ArrayOf);
})(globalThis);
