// `datastar` in the context API: what pocketpages-plugin-datastar (0.2) adds. Its answers are Datastar's
// server-sent events, written as the plugin writes them: the response becomes `text/event-stream` and each event
// is appended to what the request echoes (`event:`, `id:`, `retry:`, `data:` lines, a blank line), ahead of the
// page's own output, which is then dropped as PocketPages drops the output of a page that is not HTML.
// `datastar.realtime.*` broadcasts the same patches to browsers over the realtime `datastar` topic.
// When +config.js lists the plugin, a request carrying `Datastar-Request: true` gets its page (no layouts) as
// one patch of elements (R.outputFilter, called by render.js renderPage), as the plugin's onRender does.
(function (G) {
  'use strict';
  const R = G.__pv;
  const RETRY = 1000;  // Datastar's default retry (ms); the plugin writes it on every event
  const PATCH_ELEMENTS = 'datastar-patch-elements', PATCH_SIGNALS = 'datastar-patch-signals';
  const CDN = 'https://cdn.jsdelivr.net/gh/starfederation/datastar@main/bundles/datastar.js';
  const TOPIC = 'datastar';

  function current() {
    const st = R.state;
    if (!st || !st.api) throw new Error('datastar: only available while a request is served');
    return st;
  }
  // CR, LF and CRLF each end an SSE line (Datastar's client reads all three): each is a line of its own here, or
  // a visitor's \r in a patch would end the data line and add fields or events (a datastar-patch-signals).
  const lines = (text) => String(text).split(/\r\n|\r|\n/);

  // One event: the headers of an event stream, then its lines added to what the request echoed.
  function emit(type, data, options) {
    const st = current();
    const response = st.api.response;
    response.header('Content-Type', 'text/event-stream');
    response.header('Cache-Control', 'no-cache');  // (Connection: keep-alive is the server's to set)
    let out = 'event: ' + type + '\n';
    if (options.eventId) out += 'id: ' + options.eventId + '\n';
    if (options.retryDuration) out += 'retry: ' + options.retryDuration + '\n';
    for (const line of data) out += 'data: ' + line + '\n';
    st.echoed = (st.echoed || '') + out + '\n';
    st.datastarSent = true;
  }

  function patchElements(elements, options) {
    const o = Object.assign({ eventId: '', retryDuration: RETRY, selector: '', mode: 'outer', useViewTransition: false }, options);
    const data = [];
    if (o.selector) data.push('selector ' + o.selector);
    if (o.mode !== 'outer') data.push('mode ' + o.mode);
    if (o.useViewTransition) data.push('useViewTransition true');
    if (elements) for (const line of lines(elements)) data.push('elements ' + line);
    emit(PATCH_ELEMENTS, data, o);
  }

  function patchSignals(signals, options) {
    const o = Object.assign({ eventId: '', retryDuration: RETRY, onlyIfMissing: false }, options);
    const data = [];
    if (o.onlyIfMissing) data.push('onlyIfMissing ' + String(o.onlyIfMissing));
    if (signals) for (const line of lines(signals)) data.push('signals ' + line);
    emit(PATCH_SIGNALS, data, o);
  }

  // A <script> appended to the body; it removes itself once run unless autoRemove is false.
  function executeScript(script, options) {
    const o = Object.assign({ eventId: '', autoRemove: null, attributes: [], retryDuration: RETRY }, options);
    let tag = '<script';
    for (const attribute of o.attributes) tag += ' ' + attribute;
    if (o.autoRemove === null || o.autoRemove) tag += ' data-effect="el.remove()"';
    patchElements(tag + '>' + script + '</script>',
      { selector: 'body', mode: 'append', eventId: o.eventId, retryDuration: o.retryDuration });
  }

  function dispatchCustomEvent(name, detail, options) {
    if (!name) throw new Error('eventName is required');
    const o = Object.assign({ eventId: '', retryDuration: RETRY, selector: 'document', bubbles: true, cancelable: true,
      composed: true }, options);
    const targets = o.selector === 'document' ? '[document]' : 'document.querySelectorAll(' + JSON.stringify(o.selector) + ')';
    const init = '{bubbles: ' + o.bubbles + ', cancelable: ' + o.cancelable + ', composed: ' + o.composed +
      ', detail: ' + JSON.stringify(detail) + '}';
    const script = '\n{\n  const event = new CustomEvent(' + JSON.stringify(name) + ', ' + init + ');\n  for (const target of ' +
      targets + ') target.dispatchEvent(event);\n}\n';
    const run = {};
    if (o.eventId) run.eventId = o.eventId;
    if (o.retryDuration) run.retryDuration = o.retryDuration;
    executeScript(script, run);
  }

  function prefetch(urls, options) {
    const rules = { prefetch: [{ source: 'list', urls: urls.map(String) }] };
    executeScript(JSON.stringify(rules, null, 2), Object.assign({ autoRemove: false, attributes: ['type="speculationrules"'] }, options));
  }

  // The signals a Datastar request carries (the `datastar` query parameter of a GET, else the body), merged
  // into target.
  function readSignals(request, target) {
    let text;
    if (request.method === 'GET') {
      text = R.stringify(request.url.query[TOPIC] || {});
    } else {
      const body = request.body();
      text = typeof body === 'string' ? body : JSON.stringify(body);
    }
    if (!text) return target;
    try {
      return Object.assign(target, JSON.parse(text));
    } catch (e) {
      throw new Error('Failed to unmarshal signals: ' + e);
    }
  }

  // -- the script tags ---------------------------------------------------------------------------------------
  // Text safe inside an inline <script>, as a JavaScript string.
  const jsString = (value) => JSON.stringify(String(value)).replace(/</g, '\\u003c');

  const LOADER = '<script type="module" defer src="' + CDN + '"></script>\n' +
`<script>
  // patchSignals(values): hand values to Datastar's signals, as if the server had patched them.
  function patchSignals(values) {
    var detail = { type: '${PATCH_SIGNALS}', el: null, argsRaw: { signals: JSON.stringify(values) } };
    document.dispatchEvent(new CustomEvent('datastar-fetch', { detail: detail }));
  }
</script>`;

  // PocketBase's realtime stream: subscribe to the datastar topic on connect (also on each reconnect), keep
  // the client's id in the clientId signal, and hand every patch broadcast there to Datastar. Opened once the
  // document is parsed, when Datastar (a deferred module) listens: an early PB_CONNECT would go unheard.
  const REALTIME =
`<script>
  (function () {
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', connect);
    else connect();
    function connect() {
      var stream = new EventSource('/api/realtime');
      stream.addEventListener('PB_CONNECT', function (connected) {
        var clientId = JSON.parse(connected.data).clientId;
        var subscribe = { clientId: clientId, subscriptions: ['${TOPIC}'] };
        fetch('/api/realtime', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(subscribe) })
          .catch(function (failure) { console.error(failure); });
        patchSignals({ clientId: clientId });
      });
      stream.addEventListener('${TOPIC}', function (message) {
        document.dispatchEvent(new CustomEvent('datastar-fetch', { detail: JSON.parse(message.data) }));
      });
    }
  })();
</script>`;

  // Links inside `scope` fetched by Datastar (with Datastar-Request: true, so without layouts) and pushed to
  // the history; going back fetches the page again. `selector`: where the answer goes (Datastar-Selector).
  function spa(scope, selector) {
    const fetchOptions = jsString(JSON.stringify({ headers: selector ? { 'Datastar-Selector': String(selector) } : {} }));
    return `<script>
  (function (scope, fetchOptions) {
    function whenReady(run) {
      if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', run);
      else run();
    }
    whenReady(function () {
      var back = document.createElement('div');
      back.setAttribute('data-on-popstate__window', 'if (evt.state?.datastar?.url) @get(evt.state.datastar.url, ' + fetchOptions + ')');
      document.body.appendChild(back);
    });
    document.addEventListener('DOMContentLoaded', function () {
      var root = document.querySelector(scope);
      if (!root) return;
      root.querySelectorAll('a').forEach(function (link) {
        link.setAttribute('data-on-click', "evt.preventDefault(); history.pushState({datastar: {url: el.getAttribute('href')}}, '', " +
          "el.getAttribute('href')); @get(el.getAttribute('href'), " + fetchOptions + ')');
      });
    });
  })(${jsString(scope)}, ${fetchOptions});
</script>`;
  }

  function scripts(options) {
    const out = [LOADER];
    if (options && options.spa) out.push(spa(options.spa.scope, options.spa.selector || ''));
    if (options && options.realtime) out.push(REALTIME);
    return out.join('\n');
  }

  // -- broadcasts: the patch as Datastar's own `datastar-fetch` detail, on the realtime datastar topic --------
  const broadcast = (type, argsRaw, realtimeOptions) =>
    R.realtimePlugin.send(TOPIC, R.stringify({ type, el: null, argsRaw }), realtimeOptions);

  const datastar = Object.freeze({
    patchElements, patchSignals, executeScript, dispatchCustomEvent, prefetch, readSignals, scripts,
    consoleLog: (message, options) => executeScript('console.log(' + JSON.stringify(message) + ')', options),
    consoleError: (err, options) => executeScript('console.error(' + JSON.stringify(typeof err === 'string' ? err : err.message) + ')', options),
    redirect: (url, options) => executeScript('setTimeout(() => window.location.href = ' + JSON.stringify(url) + ')', options),
    replaceURL: (url, options) => executeScript('window.history.replaceState({}, "", ' + JSON.stringify(url) + ')', options),
    realtime: Object.freeze({
      patchElements: (elements, patchOptions, realtimeOptions) =>
        broadcast(PATCH_ELEMENTS, Object.assign({ elements }, patchOptions), realtimeOptions),
      patchSignals: (signals, options) => broadcast(PATCH_SIGNALS, Object.assign({ signals }, options)),
    }),
  });
  R.shared.push(datastar);
  R.family(['datastar'], { datastar });

  // The plugin's onRender, when +config.js lists it: a Datastar request gets its page as one patch (into the
  // Datastar-Selector element when given). Once events are written, the page's own output is not sent.
  const plugins = R.config.plugins || [];
  if (plugins.includes('datastar')) {
    const beforeEjs = plugins.indexOf('datastar') < plugins.indexOf('ejs');  // then it patches what is not rendered yet
    R.outputFilter = function (st, content) {
      const request = st.api.request;
      if (request.header('Datastar-Request') === 'true') {
        const selector = request.header('Datastar-Selector');
        patchElements(beforeEjs ? '' : content, selector ? { mode: 'inner', selector } : {});
      }
      return st.datastarSent ? '' : content;
    };
  }
})(globalThis);
