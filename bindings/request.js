// The request family's JavaScript half (declared in bindings/page_api.py): params, data,
// request, auth, formData, body and the url parser. It reads the payload Python sent with
// the request, so none of it costs a call back into Python.
(function (R) {
  'use strict';

  // -- params, data, request ----------------------------------------------------------
  // request.header/cookies and formData's field lookup are made once and shared (frozen, R.shared), reading
  // the request being served (R.state), as response.js's methods do: nothing of a request outlives it, so
  // the current request is always the one the page holds. Only readBody stays per request: it is also
  // formData's proxy target, which must not be frozen (a field named `name` or `length` would break the
  // proxy's rules on a frozen target's own properties).
  const own = (o, key) => Object.prototype.hasOwnProperty.call(o, key);
  const REQUEST = {
    header(name) { const v = R.state.payload.request.headers[String(name).toLowerCase()]; return v === undefined ? '' : v; },
    cookies(name) {
      const cookieJar = R.state.payload.request.cookies;
      if (name === undefined) {
        const all = {};
        for (const k of Object.keys(cookieJar)) all[k] = parseMaybeJson(cookieJar[k]);
        return all;
      }
      return own(cookieJar, name) ? parseMaybeJson(cookieJar[name]) : undefined;
    },
  };
  // formData is a function (PocketPages today) and readable as an object (older pages): its fields are the
  // request's body when that is an object (st.formFields).
  const FORM_FIELDS = {
    get(target, key) { const fields = R.state.formFields; return typeof key === 'string' && own(fields, key) ? fields[key] : target[key]; },
    has(target, key) { return own(R.state.formFields, key) || key in target; },
  };
  const NO_FIELDS = Object.freeze({});
  R.shared.push(REQUEST, FORM_FIELDS);
  R.family(['params', 'data', 'request', 'auth', 'formData', 'body'], function (api, st) {
    const req = st.payload.request;
    api.params = st.route.params;
    // What on_request hooks returned (Python) is where `data` starts; middleware adds to it.
    if (st.payload.data) R.safeAssign(st.data, st.payload.data);
    api.data = st.data;
    const request = {
      method: req.method,
      // The query as Python parsed it for params (sent only when there is one), not parsed again.
      url: req.query ? R.parseUrl(req.url, urlQuery(req.query)) : R.pageUrl(req.url),
      headers: req.headers,
      header: REQUEST.header,
      cookies: REQUEST.cookies,
      auth: undefined,
    };
    st.request = request;
    api.request = request;
    // No body reads as `{}`, as PocketBase's requestInfo().body (the auth starter's OTP page reads a field of it
    // on GET); made on first use, so a page that never asks pays nothing.
    let body = req.body;
    const readBody = function () { return body === null || body === undefined ? (body = {}) : body; };
    api.body = readBody;
    request.body = readBody;  // PocketPages' request has both too
    request.formData = readBody;
    st.formFields = body !== null && typeof body === 'object' && !Array.isArray(body) ? body : NO_FIELDS;
    api.formData = new Proxy(readBody, FORM_FIELDS);
    api.auth = undefined;
    if (st.payload.auth) R.setAuth(st.payload.auth, st, api);
  });

  // A URL's query never shadows a built-in name (toString, __proto__…): urlQuery and parseUrl skip them.
  const builtinName = (k) => k in Object.prototype || k === 'prototype';
  function urlQuery(query) {
    const out = {};
    for (const k of Object.keys(query)) if (!builtinName(k)) out[k] = query[k];
    return out;
  }

  function parseMaybeJson(value) {
    if (typeof value !== 'string' || !R.mayBeJson(value)) return value;
    try { return JSON.parse(value); } catch (e) { return value; }
  }
  R.parseMaybeJson = parseMaybeJson;

  // -- url ---------------------------------------------------------------------------------
  const URL_PARTS = /^(?:([A-Za-z][A-Za-z0-9+.-]*:)\/\/([^/?#]*))?([^?#]*)(\?[^#]*)?(#.*)?$/;
  // `parsed`: the query as already parsed (the request's own, from Python), used as it is.
  R.parseUrl = function (input, parsed) {
    const s = String(input);
    let protocol = '', host = '', pathname = s, search = '', hash = '';
    if (s.charCodeAt(0) === 47 && s.indexOf('#') < 0) {
      // A request's own URL ('/path?query'): the groups URL_PARTS would match, without the regex.
      const q = s.indexOf('?');
      if (q >= 0) {
        pathname = s.slice(0, q);
        search = s.slice(q);
      }
    } else {
      const m = URL_PARTS.exec(s) || [];
      protocol = m[1] || '';
      host = m[2] || '';
      pathname = m[3] || '';
      search = m[4] || '';
      hash = m[5] || '';
    }
    const query = parsed || {};
    if (search.length > 1 && !parsed) {
      for (const pair of search.slice(1).split('&')) {
        if (!pair) continue;
        const eq = pair.indexOf('=');
        const k = decode(eq < 0 ? pair : pair.slice(0, eq));
        const v = eq < 0 ? '' : decode(pair.slice(eq + 1));
        if (builtinName(k)) continue;
        query[k] = Object.prototype.hasOwnProperty.call(query, k) ? [].concat(query[k], v) : v;
      }
    }
    const colon = host.lastIndexOf(':');
    return {
      href: s, protocol, host, hostname: colon > 0 ? host.slice(0, colon) : host, port: colon > 0 ? host.slice(colon + 1) : '',
      origin: protocol ? protocol + '//' + host : '', pathname, search, hash, query,
    };
  };
  function decode(s) {
    const spaced = s.indexOf('+') < 0 ? s : s.replaceAll('+', ' ');
    if (spaced.indexOf('%') < 0) return spaced;  // nothing for decodeURIComponent to change
    try { return decodeURIComponent(spaced); } catch (e) { return s; }
  }
})(__pv);
