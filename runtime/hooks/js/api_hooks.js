// The pb_hooks request hooks around PocketBase's REST API (runtime/hooks/api_hooks.py): a call such hooks
// concern runs in a Job (R.runApi: the API answers through pv_step.run), and at each hook point Python asks
// back (R.nested.apiRequest) to run the chain on its records, given as Record handles. The last e.next()
// sends the hooks' sets and calls Python's action (pv_step.run again); what the chain answers is returned.
// As on PocketBase 0.40.6, the event has no e.request/e.response: e.app, e.collection, e.record (e.records
// and e.result for a list), e.auth, e.requestInfo(), e.json/string/html/noContent, e.setCookie, e.next().
(function (G) {
  'use strict';
  const R = G.__pv;
  const JSON_TYPE = 'application/json';

  // A call of the REST API, served in this evaluation (runtime/http/api_routes.py).
  R.runApi = function (st) {
    const out = R.py('pv_step.run', []);
    const res = st.response;
    res.status = out.status;
    for (const [name, value] of out.headers) res.headers[String(name).toLowerCase()] = [name, value];
    if (!res.headers['content-type']) res.headers['content-type'] = ['Content-Type', 'application/x-pagesvm-none'];
    res.body = out.body;
    res.done = true;
  };

  function cookieText(c) {
    let text = String(c.name) + '=' + String(c.value == null ? '' : c.value);
    if (c.path) text += '; Path=' + c.path;
    if (c.domain) text += '; Domain=' + c.domain;
    if (c.maxAge) text += '; Max-Age=' + Number(c.maxAge);
    if (c.httpOnly) text += '; HttpOnly';
    if (c.secure) text += '; Secure';
    if (c.sameSite) text += '; SameSite=' + ({ 1: 'Default', 2: 'Lax', 3: 'Strict', 4: 'None' }[c.sameSite] || c.sameSite);
    return text;
  }

  // onRecordEnrich on every record an answer shows (expanded ones too), in one crossing: a = {records, refs:
  // [[index, [[file, index]...]]...], info}. Answers what each chain asked to show, and the sets it made.
  R.nested.apiEnrich = function (a) {
    const K = R.appKit;
    const records = K.fromList(a.records);
    const info = a.info;
    let auth;
    const requestInfo = {
      query: info.query || {}, headers: info.headers || {}, body: info.body || {}, method: info.method,
      context: info.context || 'default',
      get auth() {
        if (auth === undefined) auth = info.auth ? G.$app.findRecordById(info.auth.collectionId, info.auth.id) : null;
        return auth;
      },
    };
    const shown = [], refs = [];
    try {
      enrichEach(K, records, a.refs, requestInfo, shown, refs);
    } catch (err) {
      return { error: R.apiErrorBody(err).json };
    }
    return { shown, refs };
  };
  function enrichEach(K, records, given, requestInfo, shown, refs) {
    for (const [at, hookRefs] of given) {
      const record = records[at];
      const list = hookRefs.map((ref) => R.hookEntry(ref).handler);
      const e = { app: G.$app, record, requestInfo, next: null };
      let i = 0;
      R.setNext(e, function next() { return i < list.length ? list[i++](e) : undefined; });
      e.next();
      const st = K.state(record);
      if (st.s) shown.push([at, { h: Object.keys(st.s.h), u: Object.keys(st.s.u), c: st.s.c, e: st.s.e }]);
      if (st.ops !== null) refs.push(K.ref(st));
    }
  }

  // onMailerSend, which every mail passes (a page's or a hook's mail client, the REST API's auth mails), as
  // the binary's mail client fires it: e.app, e.message (changeable; e.message = another message too), e.next();
  // send(message) runs at the last e.next(), nothing is sent when a handler ends the chain without it.
  R.mailerSend = function (message, send) {
    const refs = R.mailerSendRefs;
    if (!refs || !refs.length) return send(message);
    const list = refs.map((ref) => R.hookEntry(ref).handler);
    let i = 0;
    const e = { app: G.$app, message, next: null };
    R.setNext(e, function next() {
      if (i < list.length) return list[i++](e);
      if (i++ === list.length) return send(e.message);
      return undefined;
    });
    return e.next();
  };

  // An auth mail's hooks (onMailerRecordPasswordResetSend…): a = {refs, records: [record], message, meta}.
  // e.message is PocketBase's mailer.Message as JSON; the last e.next() hands it back to be sent.
  R.nested.apiMail = function (a) {
    const K = R.appKit;
    const record = K.fromList(a.records)[0];
    const list = a.refs.map((ref) => R.hookEntry(ref).handler);
    let sent = null, i = 0;
    const e = { app: G.$app, record, message: a.message, meta: a.meta, next: null };
    R.setNext(e, function next() {
      if (i < list.length) return list[i++](e);
      if (i++ === list.length) R.mailerSend(e.message, (m) => { sent = JSON.parse(JSON.stringify(m)); });
      return undefined;
    });
    const refs = () => (K.state(record).ops !== null ? [K.ref(K.state(record))] : []);
    try {
      e.next();
    } catch (err) {
      const api = err instanceof R.hookErrors.ApiError;
      const answer = R.apiErrorBody(err).json;
      return { error: { api, status: answer.status, data: answer.data,
        message: api ? answer.message : (err instanceof Error ? String(err.message) : R.stringify(err)) }, refs: refs() };
    }
    return { sent, refs: refs() };
  };

  R.nested.apiRequest = function (a) {
    const K = R.appKit;
    const records = K.fromList(a.records);
    const list = a.refs.map((ref) => R.hookEntry(ref).handler);  // the closures, made in this request
    const res = { status: 200, headers: [], body: '', done: false };
    const write = (status, type, body) => {
      res.status = Number(status) || 200;
      res.headers = res.headers.filter((h) => h[0].toLowerCase() !== 'content-type');
      if (type) res.headers.push(['Content-Type', type]);
      res.body = body;
      res.done = true;
    };
    const info = a.info;
    let collection, auth;
    const authRecord = () => {
      if (auth === undefined) auth = info.auth ? G.$app.findRecordById(info.auth.collectionId, info.auth.id) : null;
      return auth;
    };
    const e = {
      app: G.$app,
      get collection() { return collection || (collection = G.$app.findCollectionByNameOrId(a.collection)); },
      get auth() { return authRecord(); },
      set auth(value) { auth = value == null ? null : value; },
      requestInfo() {
        return { query: info.query || {}, headers: info.headers || {}, body: info.body || {}, method: info.method,
          context: info.context || 'default', auth: authRecord() };
      },
      hasSuperuserAuth() { return !!info.superuser; },
      json(status, data) { write(status, JSON_TYPE, JSON.stringify(data === undefined ? null : data)); },
      string(status, text) { write(status, 'text/plain; charset=utf-8', String(text)); },
      html(status, text) { write(status, 'text/html; charset=utf-8', String(text)); },
      noContent(status) { write(status, null, ''); },
      setCookie(c) { if (c && c.name) res.headers.push(['Set-Cookie', cookieText(c)]); },
      next: null,
    };
    if (a.many) {
      e.records = records;
      e.result = Object.assign({}, a.extra.result, { items: records });
    } else {
      e.record = records.length ? records[0] : null;
    }
    if (a.extra.event) Object.assign(e, a.extra.event);
    if (a.extra.named) for (const [key, at] of Object.entries(a.extra.named)) e[key] = records[at] || null;  // e.otp
    let i = 0;
    R.setNext(e, function next() {
      if (i < list.length) return list[i++](e);
      if (i++ !== list.length) return undefined;
      const refs = [];
      for (const r of records) if (K.state(r).ops !== null) refs.push(K.ref(K.state(r)));
      const back = { meta: e.meta === undefined ? null : e.meta };
      for (const key of Object.keys(a.extra.event || {})) back[key] = e[key];  // e.password, e.newEmail…
      const out = R.py('pv_step.run', [refs, back]);
      if (out.error) throw R.apiErrorWith(out.error.status, out.error.message, out.error.data);
      K.fromList(out.records);  // the records as saved: ids, isNew()
      const kept = res.headers.filter((h) => h[0].toLowerCase() === 'set-cookie');
      res.status = out.response.status;
      res.headers = out.response.headers.concat(kept);
      res.body = out.response.body;
      res.done = true;
      return undefined;
    });
    try {
      e.next();
    } catch (err) {
      const answer = R.apiErrorBody(err);
      if (!(err instanceof R.hookErrors.ApiError)) {
        G.console.error(a.name + ' hook failed: ' + (err instanceof Error ? String(err.name) + ': ' + String(err.message) : R.stringify(err)));
      }
      return { status: answer.status, headers: [['Content-Type', JSON_TYPE]], body: JSON.stringify(answer.json) };
    }
    return { status: res.status, headers: res.headers, body: res.body };
  };
})(globalThis);
