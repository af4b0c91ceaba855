// The context API a page sees (SPEC §3), built per request from the payload Python sent.
// The request and response families live in bindings/request.js and bindings/response.js
// (loaded through the binding registry); Python bindings are added by stubs.js.
(function (R) {
  'use strict';

  // url(s) as PocketPages' globalApi has it: query values JSON-parsed when they parse, the
  // first of repeated keys wins (so `url('/p?n=5').query.n === 5`, like params). PocketPages
  // builds request.url with the same function.
  R.pageUrl = function pageUrl(input) {
    const u = R.parseUrl(input);
    const keys = Object.keys(u.query);
    if (keys.length === 0) return u;
    const query = {};
    for (const key of keys) {
      const v = u.query[key];
      query[key] = R.parseMaybeJson(Array.isArray(v) ? v[0] : v);
    }
    u.query = query;
    return u;
  };

  // -- output helpers, meta, misc --------------------------------------------------------
  // The functions are made once and shared (frozen by lockdown.js, which freezes what two builds share), acting
  // on the request being served (R.state), as response.js's methods do: nothing of a request outlives it, so
  // the current request is always the one whose API the page holds. Assigned to a property, as before, so
  // their names stay ''.
  const F = {};
  F.echo = function () { const st = R.state; st.echoed = (st.echoed || '') + R.echoText(arguments); };
  F.require = function (name) { return R.makeRequire(R.currentFile())(name); };
  F.meta = function (key, value) {
    const meta = R.state.meta;
    if (value === undefined) return meta[key];
    meta[key] = value;
    return value;
  };
  F.asset = function (path) { return R.host('asset', String(path), R.currentFile()); };
  R.family(['api', 'echo', 'include', 'resolve', 'require', 'meta', 'url', 'stringify', 'asset', 'slot', 'slots'], function (api) {
    api.api = api;
    api.echo = F.echo;
    api.include = R.include;
    api.resolve = R.resolve;
    api.require = F.require;
    api.meta = F.meta;
    api.url = R.pageUrl;
    api.stringify = R.stringify;
    api.asset = F.asset;
    api.slot = undefined;
    api.slots = {};
  });
})(__pv);
