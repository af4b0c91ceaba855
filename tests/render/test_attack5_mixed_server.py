"""Many clients at once against one worker (--timeout 0.3): ordinary pages mixed with pages whose unhandled
rejection's reason loops, queues a looping job, or exhausts memory as the batch ends. Every ordinary page must
get its own answer, and the server must keep serving (on 63b2d20 the queued looping job wedged the worker)."""
from __future__ import annotations

import threading

from tests.helpers import start_server, write_site

PAGES = {
    "echo.ejs": "<%= params.n %>|<%= typeof leftover %>",
    "jobspin.ejs": "<% Promise.reject({ toString() { globalThis.leftover = 1; Promise.resolve().then(() => { for (;;) {} }); return 'r'; } }) %>x",
    "spin.ejs": "<% Promise.reject({ toString() { for (;;) {} } }) %>x",
    "oom.ejs": "<% Promise.reject({ toString() { for (let i = 0; i < 1500000; i++) { const a = { x: [1] }; a.self = a; } return 'r'; } }) %>x",
    "jobchurn.ejs": "<% Promise.resolve().then(() => { for (let i = 0; i < 1000000; i++) { const a = { x: [1] }; a.self = a; } }) %>churn",
}


def test_ordinary_pages_beside_hostile_rejections(tmp_path):
    site = write_site(tmp_path / "site", PAGES)
    srv = start_server(site, "--workers", "1", "--timeout", "0.3", data_dir=str(tmp_path / "data"))
    wrong, lock = [], threading.Lock()
    try:
        def client(k):
            for i in range(12):
                n = f"{k}-{i}"
                try:
                    got = srv.get(f"/echo?n={n}", timeout=30)
                    if got.status != 200 or got.text.strip() != f"{n}|undefined":
                        with lock:
                            wrong.append((n, got.status, got.text[:80]))
                except Exception as e:  # noqa: BLE001
                    with lock:
                        wrong.append((n, repr(e)))
                if k % 4 == 0:
                    hostile = ["/jobspin", "/spin", "/oom", "/jobchurn"][(k // 4 + i) % 4]
                    try:
                        srv.get(hostile, timeout=30)
                    except Exception:  # noqa: BLE001
                        pass
        threads = [threading.Thread(target=client, args=(k,)) for k in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert not any(t.is_alive() for t in threads), "clients stuck"
        assert not wrong, wrong[:5]
        assert srv.get("/echo?n=last").text.strip() == "last|undefined"
    finally:
        srv.stop()
