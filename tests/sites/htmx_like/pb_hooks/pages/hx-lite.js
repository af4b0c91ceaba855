// Stand-in for the few htmx features the chat page uses (htmx and pocketbase-htmx-ext-sse come from CDNs, which
// tests must not depend on): hx-ext="pocketbase-sse" opens PocketBase's realtime stream and subscribes to the
// topics of its sse-swap children, whose messages are JSON strings of HTML; hx-post forms; hx-get buttons.
(function () {
  'use strict';
  function subscribe(clientId, topics) {
    return fetch('/api/realtime', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ clientId: clientId, subscriptions: topics }),
    });
  }
  function connect(box) {
    const targets = Array.from(box.querySelectorAll('[sse-swap]'));
    const topics = Array.from(new Set(targets.map((t) => t.getAttribute('sse-swap'))));
    const stream = new EventSource('/api/realtime');
    stream.addEventListener('PB_CONNECT', (event) => {
      const clientId = JSON.parse(event.data).clientId;
      subscribe(clientId, topics).then(() => box.setAttribute('data-client', clientId));
    });
    for (const topic of topics) {
      stream.addEventListener(topic, (event) => {
        const html = JSON.parse(event.data);
        for (const target of targets) {
          if (target.getAttribute('sse-swap') !== topic) continue;
          if (target.getAttribute('hx-swap') === 'beforeend') target.insertAdjacentHTML('beforeend', html);
          else target.innerHTML = html;
        }
      });
    }
  }
  document.addEventListener('DOMContentLoaded', () => {
    document.querySelectorAll('[hx-ext="pocketbase-sse"]').forEach(connect);
    document.querySelectorAll('form[hx-post]').forEach((form) => form.addEventListener('submit', (event) => {
      event.preventDefault();
      fetch(form.getAttribute('hx-post'), { method: 'POST', body: new URLSearchParams(new FormData(form)) })
        .then((answer) => { if (answer.ok) form.reset(); });
    }));
    document.querySelectorAll('[hx-get]').forEach((el) => el.addEventListener('click', () => {
      fetch(el.getAttribute('hx-get')).then((answer) => answer.text()).then((html) => { el.innerHTML = html; });
    }));
  });
})();
