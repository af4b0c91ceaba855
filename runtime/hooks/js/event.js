// The event a route handler and its middlewares receive (PocketBase's core.RequestEvent): the request,
// requestInfo(), auth, the response writers and next(). Python typed the request's values already
// (runtime/http/hook_routes.py): spec = {info: {query, headers, body, method, bodyError}, auth, params,
// path, rawQuery, …}.
(function (G) {
  'use strict';
  const R = G.__pv;
  const NONE = 'application/x-pagesvm-none';  // no response written: Python sends no Content-Type
  const own = (o, k) => Object.prototype.hasOwnProperty.call(o, k);

  function setHeader(res, name, value) { res.headers[String(name).toLowerCase()] = [String(name), String(value)]; }
  function headerApi(res) {
    return {
      set(name, value) { setHeader(res, name, value); },
      add(name, value) { setHeader(res, name, value); },
      get(name) { const h = res.headers[String(name).toLowerCase()]; return h ? h[1] : ''; },
      del(name) { delete res.headers[String(name).toLowerCase()]; },
    };
  }
  function write(st, status, type, body) {
    const res = st.response;
    res.status = Number(status) || 200;
    if (type) setHeader(res, 'Content-Type', type);
    res.body = body;
    res.done = true;
  }
  function queryValues(raw) {
    const values = {};
    for (const part of raw ? raw.split('&') : []) {
      if (!part) continue;
      const i = part.indexOf('=');
      const decode = (s) => { try { return decodeURIComponent(s.replace(/\+/g, ' ')); } catch (e) { return s; } };
      const key = decode(i < 0 ? part : part.slice(0, i));
      (own(values, key) ? values[key] : (values[key] = [])).push(decode(i < 0 ? '' : part.slice(i + 1)));
    }
    return {
      get(key) { return own(values, key) ? values[key][0] : ''; },
      has(key) { return own(values, key); },
      getAll(key) { return own(values, key) ? values[key].slice() : []; },
      encode() { return raw; },
    };
  }

  // The event and its request are class instances: the methods sit once on frozen prototypes
  // (R.shared, lockdown.js) and the request's values in private fields no handler can reach, so a
  // request makes four small objects instead of some thirty closures (~40 µs of a JSON route).
  class HookURL {
    #spec;
    constructor(spec) { this.#spec = spec; this.path = spec.path; this.rawQuery = spec.rawQuery; }
    query() { return queryValues(this.#spec.rawQuery); }
    string() { const spec = this.#spec; return spec.path + (spec.rawQuery ? '?' + spec.rawQuery : ''); }
  }
  class HookHeader {
    #headers;
    constructor(headers) { this.#headers = headers; }
    get(name) { const v = this.#headers[String(name).toLowerCase()]; return v === undefined ? '' : v; }
  }
  class HookRequest {
    #params;
    constructor(req, spec) {
      this.method = req.method;
      this.host = req.host;
      this.url = new HookURL(spec);
      this.header = new HookHeader(req.headers);
      this.#params = spec.params;
      this.remoteAddr = spec.remoteAddr;
    }
    pathValue(name) { const v = this.#params[name]; return v === undefined ? '' : v; }
  }
  class HookResponse {
    #res;
    constructor(res) { this.#res = res; }
    header() { return headerApi(this.#res); }
  }
  function noNext() { return undefined; }  // replaced by runChain
  class HookEvent {
    #st; #spec; #kept = null;
    #record = undefined;  // the auth record, fetched on first use
    #replaced = false;  // a middleware set e.auth: the guards judge that record, as PocketBase's do
    constructor(st, spec) {
      this.#st = st;
      this.#spec = spec;
      this.app = G.$app;
      this.request = new HookRequest(st.payload.request, spec);
      this.response = new HookResponse(st.response);
      this.next = noNext;
    }
    #authRecord() {
      const spec = this.#spec;
      if (this.#replaced || !spec.auth) return this.#replaced ? this.#record : null;
      if (this.#record === undefined) this.#record = G.$app.findRecordById(spec.auth.collectionId, spec.auth.id);
      return this.#record;
    }
    pvAuth() {
      if (!this.#replaced) return this.#spec.auth;
      const record = this.#record;
      const c = record instanceof G.Record ? record.collection() : null;
      return c ? { id: record.id, collectionName: c.name } : null;
    }
    pvReplaced() { return this.#replaced; }
    get auth() { return this.#authRecord(); }
    set auth(value) { this.#record = value == null ? null : value; this.#replaced = true; }
    requestInfo() {
      const info = this.#spec.info;
      if (info.bodyError) throw new R.hookErrors.BadRequestError();
      return { query: info.query, headers: info.headers, body: info.body, method: info.method, auth: this.#authRecord(), context: 'default' };
    }
    bindBody(target) {
      const info = this.#spec.info;
      if (info.bodyError) throw new R.hookErrors.BadRequestError();
      const body = info.body;
      if (target === null || typeof target !== 'object' || body === null || typeof body !== 'object') return;
      const every = Object.keys(target).length === 0;
      for (const key of Object.keys(body)) {
        if (R.UNSAFE_KEYS.has(key) || !(every || own(target, key))) continue;
        target[key] = body[key];
      }
    }
    hasSuperuserAuth() { const a = this.pvAuth(); return !!a && a.collectionName === '_superusers'; }
    isTLS() { return this.#spec.tls; }
    realIP() { return this.#spec.remoteAddr; }
    get(key) { return this.#kept === null ? undefined : this.#kept.get(key); }
    set(key, value) { (this.#kept || (this.#kept = new Map())).set(key, value); }
    json(status, data) { write(this.#st, status, 'application/json', JSON.stringify(data === undefined ? null : data)); }
    html(status, text) { write(this.#st, status, 'text/html; charset=utf-8', String(text)); }
    string(status, text) { write(this.#st, status, 'text/plain; charset=utf-8', String(text)); }
    blob(status, type, bytes) {  // a plain array of byte values is bytes, as goja converts it to []byte
      write(this.#st, status, String(type), typeof bytes === 'string' ? bytes : G.toString(Array.isArray(bytes) ? G.toBytes(bytes) : bytes));
    }
    noContent(status) { write(this.#st, status, NONE, ''); }
    redirect(status, url) { write(this.#st, status, NONE, ''); this.#st.response.redirect = String(url); }
  }
  R.shared.push(HookEvent, HookRequest, HookURL, HookHeader, HookResponse);
  R.hookEvent = function (st, spec) { return new HookEvent(st, spec); };

  // An event's e.next is a closure holding the event: a cycle that only QuickJS's collector would free (10-50 KB of
  // a hook request, so a collection walking the whole runtime every few dozen requests). The request's state keeps
  // each event with its e.next, which is cut once the request is over (render.js R.releases) unless page code
  // replaced it; an e.next kept by a late promise job still works until then. Outside a request: as it was.
  R.setNext = function (e, next) {
    e.next = next;
    const st = R.state;
    if (st) (st.nexts || (st.nexts = [])).push(e, next);
  };
  R.releases.push(function (st) {
    const kept = st.nexts;
    if (kept === undefined) return;
    st.nexts = undefined;
    for (let i = 0; i < kept.length; i += 2) {  // a descriptor read runs no page code (events are never proxies)
      const d = Reflect.getOwnPropertyDescriptor(kept[i], 'next');
      if (d !== undefined && d.value === kept[i + 1] && d.writable) kept[i].next = noNext;
    }
  });

  R.runChain = function (e, chain, final) {
    let i = 0;
    R.setNext(e, function next() {
      if (i < chain.length) return chain[i++].func(e);
      if (i++ === chain.length) return final(e);
      return undefined;
    });
    e.next();
    const res = R.state.response;
    if (!res.done) write(R.state, res.status || 200, res.headers['content-type'] ? null : NONE, '');
  };

  R.hookFailed = function (st, err) {
    const answer = R.apiErrorBody(err);
    const res = st.response;
    res.redirect = null;
    write(st, answer.status, 'application/json', JSON.stringify(answer.json));
    if (!(err instanceof R.hookErrors.ApiError)) {  // PocketBase logs the failure; the client sees the generic 400
      const req = st.payload.request;
      G.console.error(req.method + ' ' + st.route.hook.path + ' failed in ' + String(st.route.page) + ': ' +
        (err instanceof Error ? String(err.name) + ': ' + String(err.message) + '\n' + String(err.stack || '') : 'uncaught ' + R.stringify(err)));
    }
  };
})(globalThis);
