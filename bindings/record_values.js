// A record's getters and public export, computed in JavaScript from the raw stored values Python sends
// (bindings/app_session.py `row`). Python's runtime/data/fields.py + gocast.py apply Go's casts on writes;
// this file is their read half, and tests/bindings/test_record_values_parity.py runs both over one corpus and
// requires identical answers. Loaded before record.js, which takes `__pvRecordValues` off the global object.
//
// A value comes with its field's kind: NUMBER (a float64: "NaN"/"Infinity"/"-Infinity" arrive as text, JSON
// having no such numbers), DATE (types.DateTime's text, "" for the zero date), JSONRAW (a json field's raw
// text, "" for none) or GENERIC (text, bool, lists, a password's plain text, custom values: JSON's own types,
// where a number Python read as an int is one `isInt` accepts).
(function (G) {
  'use strict';
  const GENERIC = 0, NUMBER = 1, DATE = 2, JSONRAW = 3;
  const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
  const INT64 = 2 ** 63;
  const UNIX_MIN = -62135596800, UNIX_MAX = 253402300799;  // what Python's datetime can show: years 1 to 9999
  // Python's str.strip() set (Go's TrimSpace differs only outside what the corpus can meet)
  const SPACE = '\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008' +
    '\u2009\u200a\u2028\u2029\u202f\u205f\u3000';
  const GO_INT = /^([+-]?)(0[xX][0-9a-fA-F](?:_?[0-9a-fA-F])*|0[bB][01](?:_?[01])*|0[oO]?[0-7](?:_?[0-7])*|[1-9](?:_?[0-9])*|0)$/;
  const GO_FLOAT = /^[+-]?(?:(?:[0-9](?:_?[0-9])*)?\.?[0-9](?:_?[0-9])*\.?(?:[eE][+-]?[0-9](?:_?[0-9])*)?|[0-9](?:_?[0-9])*\.)$/;
  const GO_HEX_FLOAT = /^([+-]?)0[xX]([0-9a-fA-F_]*)\.?([0-9a-fA-F_]*)[pP]([+-]?[0-9]+)$/;
  const DATE_RE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[ T]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]+))?(Z|[+-][0-9]{2}:?[0-9]{2}| [+-][0-9]{4}(?: [A-Z]{3,4})?| UTC)?)?$/;

  // A JSON number Python's json module read as an int (JavaScript writes integers below 1e21 without exponent).
  const isInt = (v) => Number.isInteger(v) && Math.abs(v) < 1e21;

  function strip(text) {
    let a = 0, b = text.length;
    while (a < b && SPACE.indexOf(text[a]) >= 0) a++;
    while (b > a && SPACE.indexOf(text[b - 1]) >= 0) b--;
    return text.slice(a, b);
  }

  // strconv.FormatFloat(v, 'f', -1, 64): the shortest digits, never an exponent.
  function floatText(v) {
    if (v !== v) return 'NaN';
    if (v === Infinity) return '+Inf';
    if (v === -Infinity) return '-Inf';
    if (Object.is(v, -0)) return '-0';
    const s = String(v);
    const e = s.indexOf('e');
    if (e < 0) return s;
    const sign = s[0] === '-' ? '-' : '';
    const mantissa = s.slice(sign.length, e);
    const dot = mantissa.indexOf('.');
    const digits = mantissa.replace('.', '');
    const point = (dot < 0 ? mantissa.length : dot) + Number(s.slice(e + 1));
    if (point <= 0) return sign + '0.' + '0'.repeat(-point) + digits;
    if (point >= digits.length) return sign + digits + '0'.repeat(point - digits.length);
    return sign + digits.slice(0, point) + '.' + digits.slice(point);
  }

  // strconv.ParseInt(s, 0, 64) after cast drops a decimal part, or null.
  function parseInt64(text) {
    const m = GO_INT.exec(text.split('.', 1)[0]);
    if (!m) return null;
    let digits = m[2].replace(/_/g, '');
    if (digits.length > 1 && digits[0] === '0' && 'xXbBoO'.indexOf(digits[1]) < 0) digits = '0o' + digits.slice(1);
    let n = BigInt(digits);
    if (m[1] === '-') n = -n;
    return n >= -BigInt(INT64) && n < BigInt(INT64) ? Number(n) : null;
  }

  // strconv.ParseFloat as cast uses it, or null.
  function parseFloat64(text) {
    if (GO_FLOAT.test(text)) {
      const v = Number(text.replace(/_/g, ''));
      return v === v ? v : null;
    }
    const hex = GO_HEX_FLOAT.exec(text);
    if (hex) {
      const whole = hex[2].replace(/_/g, ''), frac = hex[3].replace(/_/g, '');
      if (!(whole + frac)) return null;
      const v = Number(BigInt('0x' + whole + frac)) * 2 ** (Number(hex[4]) - 4 * frac.length);
      if (!isFinite(v)) return null;
      return hex[1] === '-' ? -v : v;
    }
    const low = text.toLowerCase();
    const bare = low.replace(/^[+-]/, '');
    if (bare === 'nan') return NaN;
    if (bare === 'inf' || bare === 'infinity') return low[0] === '-' ? -Infinity : Infinity;
    return null;
  }

  // types.DateTime's text: `2006-01-02 15:04:05.000Z` (a year below 1000 unpadded, as Python's strftime).
  function dateText(ms) {
    const d = new Date(ms);
    const year = d.getUTCFullYear();
    if (year < 1 || year > 9999) return '';
    const two = (n) => (n < 10 ? '0' : '') + n;
    const milli = d.getUTCMilliseconds();
    return year + '-' + two(d.getUTCMonth() + 1) + '-' + two(d.getUTCDate()) + ' ' + two(d.getUTCHours()) + ':' +
      two(d.getUTCMinutes()) + ':' + two(d.getUTCSeconds()) + '.' + (milli < 10 ? '00' : milli < 100 ? '0' : '') + milli + 'Z';
  }
  function daysIn(year, month) {
    if (month === 2) return (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) ? 29 : 28;
    return [4, 6, 9, 11].indexOf(month) >= 0 ? 30 : 31;
  }
  // types.ParseDateTime of text: the layouts gocast.parse_datetime accepts, or "".
  function parseDate(text) {
    const m = DATE_RE.exec(text);
    if (!m) return '';
    const [year, month, day, hour, minute, sec] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] || 0));
    if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 ||
        sec > 59) return '';
    const d = new Date(Date.UTC(2000, month - 1, day, hour, minute, sec, Number((m[7] || '').slice(0, 3).padEnd(3, '0'))));
    d.setUTCFullYear(year);
    const zone = (m[8] || '').trim().split(' ')[0];
    let offset = 0;
    if (zone && zone !== 'Z' && zone !== 'UTC') {
      const digits = zone.replace(':', '');
      offset = (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5))) * (digits[0] === '+' ? 1 : -1);
    }
    return dateText(d.getTime() - offset * 60000);
  }

  // Each getter of one value of `kind` (fields.py's to_string, to_float, to_int, to_bool, get_datetime,
  // get_string_slice, and app_session's crossing of `get`).
  function toString(kind, v) {
    if (kind === JSONRAW) return v || 'null';
    if (kind === NUMBER) return floatText(v);
    if (typeof v === 'string') return v;
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    if (typeof v === 'number') return isInt(v) ? String(v) : floatText(v);
    return '';
  }
  function toFloat(kind, v) {
    if (kind === NUMBER) return v;
    if (kind !== GENERIC) return 0;
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (typeof v === 'number') return v;
    if (typeof v === 'string') { const parsed = parseFloat64(v); return parsed === null ? 0 : parsed; }
    return 0;
  }
  function floatToInt(v) {  // Go's float→int64 on amd64: out of range (or NaN/Inf) is the smallest int64
    return isFinite(v) && v >= -INT64 && v < INT64 ? Math.trunc(v) + 0 : -INT64;
  }
  function toInt(kind, v) {
    if (kind === NUMBER) return floatToInt(v);
    if (kind !== GENERIC) return 0;
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (typeof v === 'number') return isInt(v) ? v + 0 : floatToInt(v);
    if (typeof v === 'string') { const parsed = parseInt64(v); return parsed === null ? 0 : parsed; }
    return 0;
  }
  function toBool(kind, v) {
    if (kind === NUMBER) return v !== 0;
    if (kind !== GENERIC) return false;
    if (typeof v === 'boolean') return v;
    if (typeof v === 'number') return v !== 0;
    return typeof v === 'string' && TRUE.has(v);
  }
  function toDate(kind, v) {
    if (kind === DATE) return v;
    if (kind !== GENERIC) return '';
    if (typeof v === 'string') return parseDate(v);
    if (typeof v === 'number' && isInt(v)) return v >= UNIX_MIN && v <= UNIX_MAX ? dateText(v * 1000) : '';
    return '';
  }
  function stringItems(text) {
    const stripped = strip(text);
    if (!stripped) return [];
    if (stripped[0] !== '[') return [text];
    let parsed;
    try { parsed = JSON.parse(stripped); } catch (e) { parsed = undefined; }
    if (Array.isArray(parsed) && parsed.every((s) => typeof s === 'string')) return parsed;
    return partialStrings(stripped).concat([text]);
  }
  // The strings a broken JSON array holds before the first thing that is not one.
  function partialStrings(text) {
    const found = [];
    let pos = 1;
    for (;;) {
      while (pos < text.length && ' \t\r\n,'.indexOf(text[pos]) >= 0) pos++;
      if (text[pos] !== '"') return found;
      let end = pos + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      if (end >= text.length) return found;
      try { found.push(JSON.parse(text.slice(pos, end + 1))); } catch (e) { return found; }
      pos = end + 1;
    }
  }
  function toSlice(kind, v) {
    let items;
    if (kind === NUMBER) items = [floatText(v)];
    else if (kind !== GENERIC || v === null || v === undefined) return [];
    else if (Array.isArray(v)) items = v.map((item) => toString(GENERIC, item));
    else if (typeof v === 'string') items = stringItems(v);
    else if (typeof v === 'boolean' || typeof v === 'number') items = [toString(GENERIC, v)];
    else return [];
    return Array.from(new Set(items));
  }
  function utf8(text) {
    const out = [];
    for (const ch of text) {
      const c = ch.codePointAt(0);
      if (c < 0x80) out.push(c);
      else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
      else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
      else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    }
    return out;
  }
  const copy = (v) => (v !== null && typeof v === 'object' ? JSON.parse(JSON.stringify(v)) : v);
  function get(kind, v) {
    if (kind === NUMBER) return isFinite(v) ? v : null;
    if (kind === JSONRAW) return utf8(v);
    return v === undefined ? null : copy(v);
  }
  // fields.export, as the record's JSON shows a field (integral numbers without -0, non-finite ones null).
  function exportValue(kind, v) {
    if (kind === NUMBER) return isFinite(v) ? v + 0 : null;
    if (kind === JSONRAW) {
      if (!v) return null;
      try { return JSON.parse(v); } catch (e) { return null; }
    }
    return copy(v);
  }
  const GETTERS = [get, toString, toInt, (kind, v) => { const f = toFloat(kind, v); return isFinite(f) ? f : null; },
    toBool, toDate, toSlice];

  // A stored number that JSON could not carry arrives as its text.
  const number = (v) => (typeof v === 'string' ? Number(v) : v);

  // A collection as a reply describes it once: [collection as JSON text, [[name, kind, hidden]...], isAuth, id,
  // name] -> its schema (name -> index, each field's kind by index, and `c`: the collection, parsed at its first
  // use, then the same object for every record of the request).
  function schema(spec) {
    const index = new Map();
    spec[1].forEach((f, i) => index.set(f[0], i));
    let text = spec[0], c = null;
    return {
      get c() { if (text !== null) { c = JSON.parse(text); text = null; } return c; },
      cid: spec[3], cname: spec[4], f: spec[1], auth: spec[2], index, kinds: spec[1].map((f) => f[1]), id: index.has('id') ? index.get('id') : -1,
    };
  }
  // Getter `which` of `name` in a row {k: schema, v: values (from v[o]: a reply's run, not copied), u: custom values}.
  function read(row, name, which) {
    const i = row.k.index.get(name);
    if (i !== undefined) {
      const kind = row.k.kinds[i], v = row.v[row.o + i];
      return GETTERS[which](kind, kind === NUMBER ? number(v) : v);
    }
    const custom = row.u;
    return GETTERS[which](GENERIC, custom && Object.prototype.hasOwnProperty.call(custom, name) ? custom[name] : null);
  }
  function recordId(row) { return row.k.id < 0 ? '' : String(row.v[row.o + row.k.id]); }
  // The public export of a row: collectionId, collectionName, then the fields not hidden (an auth record's
  // email only with emailVisibility on).
  function exportRow(row) {
    const k = row.k;
    const out = { collectionId: k.cid, collectionName: k.cname };
    const showEmail = !k.auth || read(row, 'emailVisibility', 4);
    const v = row.v, o = row.o;
    for (let i = 0; i < k.f.length; i++) {
      const [name, kind, hidden] = k.f[i];
      if (hidden || (name === 'email' && !showEmail)) continue;
      out[name] = exportValue(kind, kind === NUMBER ? number(v[o + i]) : v[o + i]);
    }
    return out;
  }

  G.__pvRecordValues = { schema, read, recordId, exportRow, GETTERS, GENERIC, NUMBER, DATE, JSONRAW };
})(globalThis);
