// PocketBase's `$security` (bindings/security.py): arguments coerced as goja converts them to Go's string and
// int, failures thrown as the JSVM throws a Go error (GoError, record.js). The pseudorandom helpers use
// Math.random (no crossing), as Go's math/rand is not meant for secrets either; everything else is one call.
(function (G) {
  'use strict';
  const R = G.__pv;
  const DEFAULT_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const str = (v) => (v === undefined || v === null ? '' : String(v));
  function int(v) {
    const n = Math.trunc(Number(v));
    return Number.isFinite(n) ? n : 0;
  }
  function length(v) {
    const n = int(v);
    if (n < 0) throw new RangeError('Invalid array or string length');
    return n;
  }
  function call(name, args) {
    const answer = R.py('pv_security.' + name, args);
    if (answer.error !== undefined) throw R.goError(answer.error);
    return answer.ok;
  }
  function pseudo(n, alphabet) {
    n = length(n);
    const bytes = unescape(encodeURIComponent(alphabet));  // Go indexes the alphabet's UTF-8 bytes
    if (!bytes.length) throw R.goError('invalid argument to Intn');
    let out = '';
    for (let i = 0; i < n; i++) out += bytes[Math.floor(Math.random() * bytes.length)];
    try { return decodeURIComponent(escape(out)); } catch (e) { return out; }
  }

  G.$security = Object.freeze({
    randomString: (n) => call('random', [length(n), DEFAULT_ALPHABET]),
    randomStringWithAlphabet: (n, alphabet) => call('random', [length(n), str(alphabet)]),
    randomStringByRegex: (pattern, ...flags) => call('regex', flags.length ? [str(pattern), flags.reduce((a, f) => a | int(f), 0)] : [str(pattern)]),
    pseudorandomString: (n) => pseudo(n, DEFAULT_ALPHABET),
    pseudorandomStringWithAlphabet: (n, alphabet) => pseudo(n, str(alphabet)),
    md5: (text) => R.py('pv_security.digest', ['md5', str(text)]),
    sha256: (text) => R.py('pv_security.digest', ['sha256', str(text)]),
    sha512: (text) => R.py('pv_security.digest', ['sha512', str(text)]),
    hs256: (data, key) => R.py('pv_security.hmac', ['sha256', str(data), str(key)]),
    hs512: (data, key) => R.py('pv_security.hmac', ['sha512', str(data), str(key)]),
    equal: (a, b) => R.py('pv_security.equal', [str(a), str(b)]),
    createJWT(payload, signingKey, secDuration) {
      const claims = payload !== null && typeof payload === 'object' ? JSON.parse(JSON.stringify(payload)) : null;
      return call('createJWT', [claims, str(signingKey), int(secDuration)]);
    },
    parseJWT: (token, verificationKey) => call('parseJWT', [str(token), str(verificationKey)]),
    parseUnverifiedJWT: (token) => call('parseJWT', [str(token), null]),
    encrypt: (data, key) => call('encrypt', [str(data), str(key)]),
    decrypt: (cipherText, key) => call('decrypt', [str(cipherText), str(key)]),
  });
})(globalThis);
