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
    const query = {};
    for (const key of Object.keys(u.query)) {
      const v = u.query[key];
      query[key] = R.parseMaybeJson(Array.isArray(v) ? v[0] : v);
    }
    u.query = query;
    return u;
  };

  // -- output helpers, meta, misc --------------------------------------------------------
  R.family(['api', 'echo', 'include', 'resolve', 'require', 'meta', 'url', 'stringify', 'asset', 'slot', 'slots'], function (api, st) {
    api.api = api;
    api.echo = function () { st.echoed = (st.echoed || '') + R.echoText(arguments); };
    api.include = R.include;
    api.resolve = R.resolve;
    api.require = function (name) { return R.makeRequire(R.currentFile())(name); };
    api.meta = function (key, value) {
      if (value === undefined) return st.meta[key];
      st.meta[key] = value;
      return value;
    };
    api.url = R.pageUrl;
    api.stringify = R.stringify;
    api.asset = function (path) { return R.host('asset', String(path), R.currentFile()); };
    api.slot = undefined;
    api.slots = {};
  });
})(__pv);
