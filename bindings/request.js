// The request family's JavaScript half (declared in bindings/page_api.py): params, data,
// request, auth, formData, body and the url parser. It reads the payload Python sent with
// the request, so none of it costs a call back into Python.
(function (R) {
  'use strict';

  // -- params, data, request ----------------------------------------------------------
  R.family(['params', 'data', 'request', 'auth', 'formData', 'body'], function (api, st) {
    const req = st.payload.request;
    api.params = st.route.params;
    // What on_request hooks returned (Python) is where `data` starts; middleware adds to it.
    if (st.payload.data) R.safeAssign(st.data, st.payload.data);
    api.data = st.data;
    const headers = req.headers;
    const cookieJar = req.cookies;
    const request = {
      method: req.method,
      // The query as Python parsed it for params (sent only when there is one), not parsed again.
      url: req.query ? Object.assign(R.parseUrl(req.url, true), { query: urlQuery(req.query) }) : R.pageUrl(req.url),
      headers,
      header(name) { const v = headers[String(name).toLowerCase()]; return v === undefined ? '' : v; },
      cookies(name) {
        if (name === undefined) {
          const all = {};
          for (const k of Object.keys(cookieJar)) all[k] = parseMaybeJson(cookieJar[k]);
          return all;
        }
        return Object.prototype.hasOwnProperty.call(cookieJar, name) ? parseMaybeJson(cookieJar[name]) : undefined;
      },
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
    // formData is a function (PocketPages today) and readable as an object (older pages).
    const fields = body !== null && typeof body === 'object' && !Array.isArray(body) ? body : {};
    const formData = readBody;
    api.formData = new Proxy(formData, {
      get(target, key) { return typeof key === 'string' && Object.prototype.hasOwnProperty.call(fields, key) ? fields[key] : target[key]; },
      has(target, key) { return Object.prototype.hasOwnProperty.call(fields, key) || key in target; },
    });
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
  R.parseUrl = function (input, noQuery) {
    const s = String(input);
    let m;
    if (s.charCodeAt(0) === 47 && s.indexOf('#') < 0) {
      // A request's own URL ('/path?query'): the groups URL_PARTS would match, without the regex.
      const q = s.indexOf('?');
      m = q < 0 ? [s, undefined, undefined, s] : [s, undefined, undefined, s.slice(0, q), s.slice(q)];
    } else {
      m = URL_PARTS.exec(s) || [];
    }
    const protocol = m[1] || '';
    const host = m[2] || '';
    const search = m[4] || '';
    const query = {};
    if (search.length > 1 && !noQuery) {
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
      origin: protocol ? protocol + '//' + host : '', pathname: m[3] || '', search, hash: m[5] || '', query,
    };
  };
  function decode(s) {
    const spaced = s.indexOf('+') < 0 ? s : s.replaceAll('+', ' ');
    if (spaced.indexOf('%') < 0) return spaced;  // nothing for decodeURIComponent to change
    try { return decodeURIComponent(spaced); } catch (e) { return s; }
  }
})(__pv);
