// A stand-in for the PocketBase JavaScript SDK's `pb.authStore`, so browser code written for
// the SDK (like the "complete logout" script on /logout) runs without loading it from a CDN.
// The SDK keeps its auth state in localStorage under 'pocketbase_auth'; so does this.
(function () {
  'use strict';
  if (window.pb) return;
  var KEY = 'pocketbase_auth';
  function read() {
    try { return JSON.parse(window.localStorage.getItem(KEY) || 'null') || {}; } catch (e) { return {}; }
  }
  window.pb = {
    authStore: {
      get token() { return read().token || ''; },
      get record() { return read().record || null; },
      get isValid() { return Boolean(read().token); },
      save: function (token, record) {
        window.localStorage.setItem(KEY, JSON.stringify({ token: token, record: record || null }));
      },
      clear: function () {
        try { window.localStorage.removeItem(KEY); } catch (e) { /* storage disabled: nothing to clear */ }
      },
    },
  };
})();
