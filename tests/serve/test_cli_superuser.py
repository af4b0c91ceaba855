"""`pagesvm superuser upsert|delete`: the binary's messages, a superuser that then signs in to the REST API,
and one clear line with exit status 2 for each mistake (the password never printed)."""
import json

from runtime.api import Api, ApiRequest
from runtime.data.finders import find_auth_record_by_email
from runtime.data.process import store_for
from runtime.serve.cli import main


def _sign_in(data, email, password):
    body = json.dumps({"identity": email, "password": password}).encode()
    answer = Api(data).handle(ApiRequest("POST", "/api/collections/_superusers/auth-with-password", body=body,
                                         content_type="application/json"))
    return answer.status, answer.value()


def test_upsert_creates_then_changes_the_password_and_the_superuser_signs_in(tmp_path, capsys):
    data = str(tmp_path / "pb_data")
    assert main(["superuser", "upsert", "boss@example.com", "first-pass-1", "--data", data]) == 0
    assert capsys.readouterr().out == 'Successfully saved superuser "boss@example.com"!\n'
    status, answer = _sign_in(data, "boss@example.com", "first-pass-1")
    assert status == 200 and answer["record"]["verified"] is True and answer["record"]["email"] == "boss@example.com"
    token = answer["token"]
    assert main(["superuser", "upsert", "boss@example.com", "second-pass-2", "--dir", data]) == 0
    assert _sign_in(data, "boss@example.com", "first-pass-1")[0] == 400
    assert _sign_in(data, "boss@example.com", "second-pass-2")[0] == 200
    refresh = Api(data).handle(ApiRequest("POST", "/api/collections/_superusers/auth-refresh",
                                          headers={"Authorization": token}))
    assert refresh.status == 401  # the new password ended the old token


def test_the_signed_in_superuser_is_a_superuser(tmp_path):
    from runtime.api.service import ApiCall

    data = str(tmp_path / "pb_data")
    assert main(["superuser", "upsert", "boss@example.com", "first-pass-1", "--data", data]) == 0
    token = _sign_in(data, "boss@example.com", "first-pass-1")[1]["token"]
    call = ApiCall(Api(data), ApiRequest("GET", "/api/x", headers={"Authorization": f"Bearer {token}"}))
    assert call.is_superuser and call.auth_record.email() == "boss@example.com"


def test_creating_a_superuser_removes_the_installer_account(tmp_path):
    data = str(tmp_path / "pb_data")
    store = store_for(data)
    installer = store.new_record("_superusers", {"email": "__pbinstaller@example.com", "password": "installer-pass"})
    store.save(installer)
    assert main(["superuser", "upsert", "boss@example.com", "first-pass-1", "--data", data]) == 0
    emails = [r.email() for r in store_for(data).find_all_records("_superusers")]
    assert emails == ["boss@example.com"]


def test_delete_keeps_the_last_superuser_and_tells_a_missing_one(tmp_path, capsys):
    data = str(tmp_path / "pb_data")
    main(["superuser", "upsert", "one@example.com", "first-pass-1", "--data", data])
    main(["superuser", "upsert", "two@example.com", "first-pass-1", "--data", data])
    capsys.readouterr()
    assert main(["superuser", "delete", "one@example.com", "--data", data]) == 0
    assert capsys.readouterr().out == 'Successfully deleted superuser "one@example.com"!\n'
    assert main(["superuser", "delete", "one@example.com", "--data", data]) == 0
    assert capsys.readouterr().out == 'superuser "one@example.com" is missing or already deleted\n'
    assert main(["superuser", "delete", "two@example.com", "--data", data]) == 2
    assert capsys.readouterr().err == ('pagesvm superuser: failed to delete superuser "two@example.com": '
                                       "You can't delete the only existing superuser\n")
    assert find_auth_record_by_email(store_for(data), "_superusers", "two@example.com") is not None


def test_mistakes_are_one_line_and_never_show_the_password(tmp_path, capsys):
    data = str(tmp_path / "pb_data")
    assert main(["superuser", "upsert", "not-an-address", "secret-pass-1", "--data", data]) == 2
    assert capsys.readouterr().err == "pagesvm superuser: missing or invalid email address\n"
    assert main(["superuser", "upsert", "boss@example.com", "short", "--data", data]) == 2
    err = capsys.readouterr().err
    assert err == "pagesvm superuser: failed to upsert superuser account: password: Must be at least 8 character(s).\n"
    assert main(["superuser", "delete", "", "--data", data]) == 2
    assert capsys.readouterr().err == "pagesvm superuser: invalid or missing email address\n"
    assert main(["superuser", "delete", "boss@example.com", "--data", str(tmp_path / "nowhere")]) == 2
    assert "no data.db in" in capsys.readouterr().err
