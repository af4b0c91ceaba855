// The JSVM's plain globals (bindings/globals.py): console.*, sleep, toString, toBytes, readerToString,
// __hooks. Go byte slices ($os.readFile, a command's output) are arrays R.bytes marks, so toString() turns
// them back into text while a plain array is printed as JSON, as on PocketBase. Readers (a request body,
// later) are objects registered in R.readers with a function giving their text.
(function (G) {
  'use strict';
  const R = G.__pv;
  const marked = new WeakSet();
  R.readers = new WeakMap();
  R.bytes = function (list) {
    const out = Array.from(list || []);
    marked.add(out);
    return out;
  };

  function utf8(text) {
    const out = [];
    for (const ch of text) {
      let c = ch.codePointAt(0);
      if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;  // a lone surrogate, as Go writes it
      if (c < 0x80) out.push(c);
      else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
      else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
      else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    }
    return out;
  }
  // UTF-8 bytes to text, each invalid byte becoming U+FFFD (Go's conversion of bad UTF-8).
  function text(bytes) {
    let out = '';
    for (let i = 0; i < bytes.length;) {
      const b = bytes[i] & 255;
      const need = b < 0x80 ? 0 : b >= 0xc2 && b < 0xe0 ? 1 : b >= 0xe0 && b < 0xf0 ? 2 : b >= 0xf0 && b < 0xf5 ? 3 : -1;
      let c = need === 0 ? b : need === 1 ? b & 31 : need === 2 ? b & 15 : b & 7;
      let ok = need >= 0 && i + need < bytes.length;
      for (let k = 1; ok && k <= need; k++) {
        const next = bytes[i + k] & 255;
        if ((next & 0xc0) !== 0x80) ok = false;
        c = (c << 6) | (next & 63);
      }
      if (ok && need > 0 && (c < [0, 0x80, 0x800, 0x10000][need] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))) ok = false;
      if (!ok) { out += '\ufffd'; i++; continue; }
      out += String.fromCodePoint(c);
      i += need + 1;
    }
    return out;
  }
  // Go's json.Marshal of an exported value: object keys sorted.
  function goJSON(value) {
    return JSON.stringify(value, function (key, v) {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
      if (typeof v.toJSON === 'function') return v;
      const sorted = {};
      for (const k of Object.keys(v).sort()) sorted[k] = v[k];
      return sorted;
    });
  }
  function readerText(reader, maxBytes) {
    const read = reader !== null && typeof reader === 'object' ? R.readers.get(reader) : undefined;
    if (read === undefined) {
      throw new TypeError('could not convert function call parameter 0: could not convert ' + String(reader) + ' to io.Reader');
    }
    return read(maxBytes);
  }
  function toString(value, maxBytes) {
    if (value === undefined || value === null) return '';
    if (typeof value === 'string') return value;
    if (typeof value !== 'object') return String(value);
    if (marked.has(value)) return text(value);
    if (R.readers.has(value)) return readerText(value, maxBytes);
    return goJSON(value);
  }
  function toBytes(value, maxBytes) {
    if (value === undefined || value === null) return R.bytes([]);
    if (typeof value === 'object' && (marked.has(value) || Array.isArray(value))) return R.bytes(Array.from(value, (b) => Number(b) & 255));
    return R.bytes(utf8(toString(value, maxBytes)));
  }
  const logger = (level) => (...args) => R.defer('pv_globals.console', [level].concat(args.map((a) => (a === undefined ? 'undefined' : typeof a === 'function' ? String(a) : a))));

  G.console = Object.freeze({ log: logger('log'), info: logger('info'), warn: logger('warn'), error: logger('error'), debug: logger('debug') });
  G.sleep = function sleep(milliseconds) { R.py('pv_globals.sleep', [Number(milliseconds) || 0]); };
  G.toString = toString;
  G.toBytes = toBytes;
  G.readerToString = (reader, maxBytes) => readerText(reader, maxBytes);
  Object.defineProperty(G, '__hooks', { value: String(R.config.hooks || ''), enumerable: false, writable: false, configurable: false });
})(globalThis);
