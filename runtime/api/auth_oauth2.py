"""OAuth2 sign-in: the providers `auth-methods` lists and `auth-with-oauth2`, as PocketBase 0.40.

auth-methods hands each enabled provider's authorization URL out with a fresh random `state` and, for PKCE,
a fresh verifier and its S256 challenge; the URL ends in an empty `redirect_uri=` for the client to append
its own (pagesvm keeps nothing: the client brings state and verifier back itself).

auth-with-oauth2 trades the code for the provider's user (oauth2_client.py), then finds the record: the one an
`_externalAuths` link (collection, provider, provider's user id) names; else the caller's own when signed in
to this collection; else the record with the provider's email, which is only given when the provider says it
is verified. A found record that is not verified loses its password and every other link (whoever made it
before the address's owner came keeps nothing), gets the provider's email when it had none and is verified
when its email is the provider's. Without a record one is created through the records API's create (its
createRule, `@request.context` "oauth2", `createData` first, then the provider's email and the mapped
name/username/avatar URL fields; a random password), verified when its email is the provider's. The link
is made when missing; all of it in one transaction. The answer is auth-with-password's with `meta`: the
provider's user and `isNew`.
"""
from __future__ import annotations

import logging

from runtime.data.auth_options import random_string
from runtime.data.validation import ValidationError

from .auth_common import LOADING, REQUIRED, auth_collection, auth_response, refuse_invalid
from .auth_flows import find_by_email
from .auth_password import new_auth_token
from .exchange import ApiError, ApiRequest, ApiResponse, bad_request, forbidden
from .oauth2_client import KNOWN, OAuth2Failure, Provider, s256_challenge
from .router import ROUTES
from .service import ApiCall

EXTERNAL = "_externalAuths"
log = logging.getLogger("pagesvm")


def _config(collection, name: str):
    for config in (collection.options.get("oauth2") or {}).get("providers") or []:
        if isinstance(config, dict) and config.get("name") == name:
            return config
    return None


def providers_info(collection) -> dict:
    """auth-methods' `oauth2` part: {providers, enabled}."""
    options = collection.options.get("oauth2") or {}
    if not options.get("enabled"):
        return {"providers": [], "enabled": False}
    listed = []
    for config in options.get("providers") or []:
        if not isinstance(config, dict) or config.get("name") not in KNOWN:
            continue  # the binary skips a provider it cannot set up
        provider = Provider(config)
        info = {"name": provider.name, "displayName": provider.display_name or provider.name,
                "logo": provider.logo, "state": random_string(30), "authURL": "", "authUrl": "",
                "codeVerifier": "", "codeChallenge": "", "codeChallengeMethod": ""}
        extra = {}
        if provider.pkce:
            info["codeVerifier"] = random_string(43)
            info["codeChallenge"] = s256_challenge(info["codeVerifier"])
            info["codeChallengeMethod"] = "S256"
            extra = {"code_challenge": info["codeChallenge"], "code_challenge_method": "S256"}
        info["authURL"] = info["authUrl"] = provider.auth_url_for(info["state"], extra) + "&redirect_uri="
        listed.append(info)
    return {"providers": listed, "enabled": True}


def _form(call, collection) -> dict:
    try:
        data = call.request.data()
    except ApiError:
        raise bad_request(LOADING) from None
    form = {}
    for name in ("provider", "code", "codeVerifier", "redirectURL", "redirectUrl"):
        value = data.get(name)
        if isinstance(value, list) and value and isinstance(value[0], str):
            value = value[0]
        if value is not None and not isinstance(value, str):
            raise bad_request(LOADING)
        form[name] = value or ""
    create = data.get("createData")
    if create is not None and not isinstance(create, dict):
        raise bad_request(LOADING)
    form["createData"] = create
    form["redirectURL"] = form["redirectURL"] or form["redirectUrl"]
    name = form["provider"]
    provider_error = None
    if not name:
        provider_error = REQUIRED
    elif len(name) > 100:
        provider_error = {"code": "validation_length_out_of_range", "message": "The length must be between 0 and 100.",
                          "params": {"max": 100, "min": 0}}
    elif _config(collection, name) is None:
        provider_error = {"code": "validation_invalid_provider",
                          "message": f"Provider with name {name} is missing or is not enabled.",
                          "params": {"name": name}}
    try:
        refuse_invalid({"provider": provider_error, "code": None if form["code"] else REQUIRED})
    except ApiError as exc:
        raise bad_request(LOADING, exc.data) from None
    return form


@ROUTES.route("POST", "/api/collections/{collection}/auth-with-oauth2")
def auth_with_oauth2(call, collection: str) -> ApiResponse:
    found = auth_collection(call, collection)
    if not (found.options.get("oauth2") or {}).get("enabled"):
        raise forbidden("The collection is not configured to allow OAuth2 authentication.")
    signed_in = call.auth_record if call.auth is not None and call.auth[0].id == found.id else None
    form = _form(call, found)
    try:
        provider = Provider(_config(found, form["provider"]))
    except KeyError:
        raise ApiError(500, "Failed to init provider " + form["provider"]) from None
    try:
        token = provider.fetch_token(form["code"], form["codeVerifier"], form["redirectURL"])
    except OAuth2Failure as exc:
        log.debug("OAuth2 token: %s", exc)
        raise bad_request("Failed to fetch OAuth2 token.") from None
    try:
        user = provider.fetch_user(token)
    except OAuth2Failure as exc:
        log.debug("OAuth2 user: %s", exc)
        raise bad_request("Failed to fetch OAuth2 user.") from None

    link = _find_link(call.store, found, provider.name, user["id"])
    record = None
    if link is not None:
        record = call.store.find_record_by_id(found.id, link.get_string("recordRef"))
    elif signed_in is not None:
        record = signed_in
    elif user["email"]:
        record = find_by_email(call.store, found, user["email"])
    is_new = record is None

    def complete(event):
        hooked_user, create_data, new = _from_hooks(event, user, form["createData"], is_new)
        try:
            done = call.store.run_in_transaction(
                lambda _tx: _submit(call, found, provider.name, hooked_user, record, link, create_data, signed_in))
        except ApiError:
            raise
        except (ValidationError, ValueError) as exc:
            log.debug("OAuth2 sign-in: %s", exc)
            raise bad_request("Failed to authenticate.") from None
        meta = {**hooked_user, "avatarUrl": hooked_user["avatarURL"], "isNew": new}
        return auth_response(call, found, done, new_auth_token(call, found, done), "oauth2",
                             meta=dict(sorted(meta.items())))
    event = {"providerName": provider.name, "oAuth2User": dict(user), "createData": form["createData"],
             "isNewRecord": is_new}
    return call.hooked("onRecordAuthWithOAuth2Request", found, [record] if record is not None else [], complete,
                       {"event": event})


def _from_hooks(event: dict, user: dict, create_data, is_new: bool) -> tuple:
    """(the provider's user, createData, isNew) as onRecordAuthWithOAuth2Request hooks left them in the event
    (`e.oAuth2User.name = …`, `e.createData = {…}`, `e.isNewRecord`); what they did not touch, as given."""
    given = event.get("oAuth2User")
    if isinstance(given, dict):
        user = {key: given.get(key, value) for key, value in user.items()}
        for key in ("id", "name", "username", "email", "avatarURL"):
            user[key] = "" if user[key] is None else str(user[key])
    if "createData" in event:
        create_data = event["createData"] if isinstance(event["createData"], dict) else None
    if "isNewRecord" in event:
        is_new = bool(event["isNewRecord"])
    return user, create_data, is_new


class _InternalCall(ApiCall):
    """The records API's create called from here: `@request.context` is "oauth2" for its rules."""

    __slots__ = ()
    info_context = "oauth2"


def _find_link(store, collection, provider: str, provider_id: str):
    row = store.db.execute(f"SELECT id FROM `{EXTERNAL}` WHERE collectionRef = ? AND provider = ? AND providerId = ? "
                           "ORDER BY created DESC LIMIT 1", (collection.id, provider, provider_id)).fetchone()
    return store.find_record_by_id(EXTERNAL, row[0]) if row is not None else None


def _submit(call, collection, provider: str, user: dict, record, link, create_data, signed_in):
    """The record signed in, created or updated, and linked (inside the caller's transaction)."""
    if record is None:
        record = _create(call, collection, user, create_data)
        if record.email() == user["email"] and not record.verified():
            record.set("verified", True)
            call.save(record)
    else:
        changed = False
        if not record.verified():
            if signed_in is None or signed_in.id != record.id:
                record.set_password(random_string(30))
                record.refresh_token_key()
                changed = True
            call.store.db.execute(f"DELETE FROM `{EXTERNAL}` WHERE collectionRef = ? AND recordRef = ?",
                                  (collection.id, record.id))
            link = None
        if not record.email() and user["email"]:
            record.set_email(user["email"])
            changed = True
        if not record.verified() and (not record.email() or record.email() == user["email"]):
            record.set("verified", True)
            changed = True
        if changed:
            call.save(record)
    if link is None:
        made = call.store.new_record(EXTERNAL, {"collectionRef": collection.id, "recordRef": record.id,
                                                "provider": provider, "providerId": user["id"]})
        call.store.save(made)
    return record


def _create(call, collection, user: dict, create_data):
    """A new record through the records API's create, as the binary's internal request does."""
    from .records_crud import record_create

    if collection.name == "_superusers":
        raise ValueError("superusers are not allowed to sign-up with OAuth2")
    payload = dict(create_data or {})
    if not isinstance(payload.get("email"), str) or not payload.get("email"):
        payload["email"] = user["email"]
    mapped = (collection.options.get("oauth2") or {}).get("mappedFields") or {}
    fields = {field["name"]: field for field in collection.fields}
    for key, value in (("id", user["id"]), ("name", user["name"])):
        if mapped.get(key) and mapped[key] not in payload:
            payload[mapped[key]] = value
    target = mapped.get("username")
    if target and target not in payload and _username_free(call, collection, fields.get(target), user["username"]):
        payload[target] = user["username"]
    target = mapped.get("avatarURL")
    if target and target not in payload and user["avatarURL"] and target in fields:
        if fields[target]["type"] != "file":
            payload[target] = user["avatarURL"]
        # a file field would get the picture downloaded by the binary; pagesvm leaves it empty (README)
    if "password" not in payload:
        payload["password"] = payload["passwordConfirm"] = random_string(30)
    inner = _InternalCall(call.api, ApiRequest("POST", f"/api/collections/{collection.name}/records",
                                               headers=dict(call.request.headers), data=payload, files={}))
    answer = record_create(inner, collection=collection.name)
    if answer.status != 200:
        raise ValueError("failed to create OAuth2 auth record")
    return call.store.find_record_by_id(collection.id, answer.value()["id"])


def _username_free(call, collection, field, username: str) -> bool:
    """The binary's older rule: the provider's username is taken only when it fits the field (a text field's
    own checks) and no record has it under the field's single-column unique index."""
    from runtime.data.ddl import quote
    from runtime.data.validation import check_text

    from .auth_password import unique_column

    if field is None or (field["type"] == "text" and check_text(field, username) is not None):
        return False
    found, nocase = unique_column(collection, field["name"])
    if not found:
        return True
    collate = " COLLATE NOCASE" if nocase else ""
    row = call.store.db.execute(f"SELECT 1 FROM {quote(collection.name)} WHERE {quote(field['name'])} = ?{collate} "
                                "LIMIT 1", (username,)).fetchone()
    return row is None
