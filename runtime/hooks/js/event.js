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

  R.hookEvent = function (st, spec) {
    const req = st.payload.request;
    const res = st.response;
    const kept = new Map();
    let record;  // the auth record, fetched on first use
    let replaced = false;  // a middleware set e.auth: the guards judge that record, as PocketBase's do
    const info = spec.info;
    const authRecord = () => {
      if (replaced || !spec.auth) return replaced ? record : null;
      if (record === undefined) record = G.$app.findRecordById(spec.auth.collectionId, spec.auth.id);
      return record;
    };
    const e = {
      app: G.$app,
      pvAuth() {
        if (!replaced) return spec.auth;
        const c = record instanceof G.Record ? record.collection() : null;
        return c ? { id: record.id, collectionName: c.name } : null;
      },
      pvReplaced() { return replaced; },
      get auth() { return authRecord(); },
      set auth(value) { record = value == null ? null : value; replaced = true; },
      request: {
        method: req.method,
        host: req.host,
        url: { path: spec.path, rawQuery: spec.rawQuery, query() { return queryValues(spec.rawQuery); },
          string() { return spec.path + (spec.rawQuery ? '?' + spec.rawQuery : ''); } },
        header: { get(name) { const v = req.headers[String(name).toLowerCase()]; return v === undefined ? '' : v; } },
        pathValue(name) { const v = spec.params[name]; return v === undefined ? '' : v; },
        remoteAddr: spec.remoteAddr,
      },
      response: { header() { return headerApi(res); } },
      requestInfo() {
        if (info.bodyError) throw new R.hookErrors.BadRequestError();
        return { query: info.query, headers: info.headers, body: info.body, method: info.method, auth: authRecord(), context: 'default' };
      },
      bindBody(target) {
        if (info.bodyError) throw new R.hookErrors.BadRequestError();
        const body = info.body;
        if (target === null || typeof target !== 'object' || body === null || typeof body !== 'object') return;
        const every = Object.keys(target).length === 0;
        for (const key of Object.keys(body)) {
          if (R.UNSAFE_KEYS.has(key) || !(every || own(target, key))) continue;
          target[key] = body[key];
        }
      },
      hasSuperuserAuth() { const a = e.pvAuth(); return !!a && a.collectionName === '_superusers'; },
      isTLS() { return spec.tls; },
      realIP() { return spec.remoteAddr; },
      get(key) { return kept.get(key); },
      set(key, value) { kept.set(key, value); },
      json(status, data) { write(st, status, 'application/json', JSON.stringify(data === undefined ? null : data)); },
      html(status, text) { write(st, status, 'text/html; charset=utf-8', String(text)); },
      string(status, text) { write(st, status, 'text/plain; charset=utf-8', String(text)); },
      blob(status, type, bytes) { write(st, status, String(type), typeof bytes === 'string' ? bytes : G.toString(bytes)); },
      noContent(status) { write(st, status, NONE, ''); },
      redirect(status, url) { write(st, status, NONE, ''); res.redirect = String(url); },
      next() { return undefined; },  // replaced by runChain
    };
    return e;
  };

  R.runChain = function (e, chain, final) {
    let i = 0;
    e.next = function next() {
      if (i < chain.length) return chain[i++].func(e);
      if (i++ === chain.length) return final(e);
      return undefined;
    };
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
