"""The six collections PocketBase 0.40 creates in a new data.db, as the binary defines them.

`_mfas`, `_otps`, `_externalAuths`, `_authOrigins` (base, system), `_superusers` (auth, system) and
`users` (auth, not system, id `_pb_users_auth_`), in the binary's creation order. Their index strings
are kept exactly as the binary stores them in `_collections` (spacing included); the tables get the
normalised SQL (runtime.data.ddl).
"""
from __future__ import annotations

from .auth_options import default_auth_options
from .collections import Collection, collection_id
from .schema_fields import auth_fields, autodate_fields, id_field, normalize_field, system_text

USERS_ID = "_pb_users_auth_"
_OWNER_RULE = "@request.auth.id != '' && recordRef = @request.auth.id && collectionRef = @request.auth.collectionId"


def _ref_fields() -> list[dict]:
    return [system_text("collectionRef", required=True), system_text("recordRef", required=True)]


def _internal(name: str, extra: list[dict], index_columns: list[tuple[str, str, bool]], deletable: bool):
    """A system base collection owned by one record (`collectionRef`/`recordRef`)."""
    indexes = [f"CREATE {'UNIQUE ' if unique else ''}INDEX `{index}` ON `{name}` ({cols})"
               for index, cols, unique in index_columns]
    return Collection(
        id=collection_id("base", name), name=name, type="base", system=True,
        fields=[id_field(), *_ref_fields(), *extra, *autodate_fields(True)], indexes=indexes,
        listRule=_OWNER_RULE, viewRule=_OWNER_RULE, deleteRule=_OWNER_RULE if deletable else None)


def _auth_indexes(cid: str, name: str) -> list[str]:
    return [f"CREATE UNIQUE INDEX `idx_tokenKey_{cid}` ON `{name}` (`tokenKey`)",
            f"CREATE UNIQUE INDEX `idx_email_{cid}` ON `{name}` (`email`) WHERE `email` != ''"]


def system_collections() -> list[Collection]:
    """Fresh definitions (new secrets each call) in the order the binary creates them."""
    mfas = _internal("_mfas", [system_text("method", required=True)],
                     [("idx_mfas_collectionRef_recordRef", "collectionRef,recordRef", False)], False)
    otps = _internal("_otps", [
        normalize_field({"name": "password", "type": "password", "cost": 8, "hidden": True,
                         "required": True, "system": True}),
        system_text("sentTo", hidden=True),
    ], [("idx_otps_collectionRef_recordRef", "collectionRef, recordRef", False)], False)
    external = _internal("_externalAuths", [
        system_text("provider", required=True), system_text("providerId", required=True),
    ], [("idx_externalAuths_record_provider", "collectionRef, recordRef, provider", True),
        ("idx_externalAuths_collection_provider", "collectionRef, provider, providerId", True)], True)
    origins = _internal("_authOrigins", [system_text("fingerprint", required=True)],
                        [("idx_authOrigins_unique_pairs", "collectionRef, recordRef, fingerprint", True)], True)
    su_id = collection_id("auth", "_superusers")
    superusers = Collection(
        id=su_id, name="_superusers", type="auth", system=True,
        fields=[id_field(), *auth_fields(), *autodate_fields(True)], indexes=_auth_indexes(su_id, "_superusers"),
        options=default_auth_options(auth_duration=86400))
    users = Collection(
        id=USERS_ID, name="users", type="auth", system=False,
        fields=[id_field(), *auth_fields(),
                normalize_field({"name": "name", "type": "text", "max": 255}),
                normalize_field({"name": "avatar", "type": "file", "maxSelect": 1, "mimeTypes": [
                    "image/jpeg", "image/png", "image/svg+xml", "image/gif", "image/webp"]}),
                *autodate_fields(False)],
        indexes=_auth_indexes(USERS_ID, "users"),
        listRule="id = @request.auth.id", viewRule="id = @request.auth.id", createRule="",
        updateRule="id = @request.auth.id", deleteRule="id = @request.auth.id",
        options=default_auth_options(mapped={"name": "name", "avatarURL": "avatar"}))
    return [mfas, otps, external, origins, superusers, users]
