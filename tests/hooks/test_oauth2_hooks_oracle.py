"""`onRecordAuthWithOAuth2Request` against the real PocketBase 0.40.6: tests/sites/oauth2hooks_project (a copy
with a migration of the test's own giving `users` the fake OpenID provider of tests/api/fake_oidc.py) served by
the binary and by `pagesvm serve`; the same sign-ins (each side with codes of its own) sent to both, answers
(ids, tokens, times masked) and what the hooks noted compared. A hook's `e.createData` (replaced or changed),
`e.oAuth2User.name`, `e.isNewRecord` and sets on `e.record` are what the sign-in uses."""
import json
import os
import shutil

import pytest

from tests.api.fake_oidc import FakeOIDC, s256
from tests.helpers import SITES, masked, project_on_both, request
from tests.hooks.mail_oracle import same_steps

PROJECT = os.path.join(SITES, "oauth2hooks_project")
VERIFIER = "v" * 43
PASSWORD = "password123"
PEOPLE = ("ann", "carl", "dora", "eve", "fay", "gil", "hal", "ivy")


def _claims(name: str) -> dict:
    return {"sub": name + "-1", "name": name.title(), "email": f"{name}@example.com", "email_verified": True}


def _run(fake):
    def run(host, port):
        out = []

        def call(method, path, body=None):
            answer = request(host, port, method, path, json.dumps(body) if body is not None else None,
                             {"Content-Type": "application/json"})
            value = json.loads(answer.body) if answer.body else None
            if isinstance(value, dict) and isinstance(value.get("meta"), dict):
                value["meta"].update({k: f"<{k}>" for k in ("accessToken", "refreshToken", "expiry")
                                      if value["meta"].get(k)})
            out.append((method, path, answer.status, masked(value)))
            return value

        call("POST", "/api/collections/users/records", {"email": "ivy@example.com", "password": PASSWORD,
                                                        "passwordConfirm": PASSWORD, "verified": False})
        for name in PEOPLE + ("ann", "ivy"):
            body = {"provider": "oidc", "code": fake.issue(_claims(name), s256(VERIFIER)), "codeVerifier": VERIFIER}
            if name == "dora":
                body["createData"] = {"name": "Dora D", "nickname": "dd"}
            call("POST", "/api/collections/users/auth-with-oauth2", body)
        for key in ("oauth2", "oauth2-other"):
            out.append(("store", key, request(host, port, "GET", "/t/store/" + key).json()["v"]))
        return out
    return run


@pytest.fixture(scope="module")
def answers(tmp_path_factory):
    fake = FakeOIDC()
    project = str(tmp_path_factory.mktemp("oauth2hooks") / "project")
    shutil.copytree(PROJECT, project)
    os.makedirs(os.path.join(project, "pb_migrations"), exist_ok=True)
    with open(os.path.join(project, "pb_migrations", "1700000000_oidc.js"), "w", encoding="utf-8") as handle:
        handle.write("migrate((app) => {\n  const users = app.findCollectionByNameOrId('users');\n"
                     "  users.fields.add(new TextField({ name: 'nickname' }));\n"
                     f"  users.oauth2.enabled = true; users.oauth2.providers = [{json.dumps(fake.config())}];\n"
                     "  users.oauth2.mappedFields.name = 'name';\n  app.save(users);\n});\n")
    try:
        return project_on_both(project, _run(fake), tmp_path_factory)
    finally:
        fake.stop()


def test_same_steps_as_pocketbase(answers):
    same_steps(answers)
