"""Tenants: each caller acts as one tenant, with only that tenant's credentials, budgets
and sandbox; API keys or JWTs (HS256 secret, or RS256 keys of a JWKS file) say which."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from inboxgraph.config import ConfigurationError, load_settings
from inboxgraph.domain.provider import Provider
from inboxgraph.upstreams import connect_upstreams
from tests.support import client_for, mock_upstream

ACME_KEY, GLOBEX_KEY, DEFAULT_KEY = "acme-key-1", "globex-key-2", "default-key-3"
ACME_PUFFLE, GLOBEX_PUFFLE = "acme-puffle-token-x", "globex-puffle-token-y"
MINE = "f11e8a2c-1234-4567-89ab-cdef01234567"
ARCHIVE = {
    "query": f'mutation {{ updateConversation(input: {{puffle: {{id: "{MINE}", status: ARCHIVED}}}})'
    " { __typename ... on UpdateFailed { code message } } }"
}
TENANTS = """
[tenants.acme]
api_keys = ["acme-key-1"]
sandbox = "off"
[tenants.acme.providers.puffle]
token_env = "ACME_PUFFLE"
base_url = "https://puffle.test/acme"

[tenants.globex]
api_keys_env = ["GLOBEX_KEY"]
[tenants.globex.providers.puffle]
token = "globex-puffle-token-y"
base_url = "https://puffle.test/globex"
"""


def settings(tmp_path: Path, **extra: str) -> Any:
    path = tmp_path / "tenants.toml"
    path.write_text(TENANTS)
    return load_settings(
        {
            "INBOXGRAPH_TENANTS_FILE": str(path),
            "INBOXGRAPH_API_TOKEN": DEFAULT_KEY,
            "ACME_PUFFLE": ACME_PUFFLE,
            "GLOBEX_KEY": GLOBEX_KEY,
            **extra,
        }
    )


def puffle_answer(request: httpx.Request) -> httpx.Response:
    return httpx.Response(
        200,
        json={
            "conversation": {
                "id": MINE,
                "status": "archived",
                "unread_count": 0,
                "channel": "linkedin",
                "updated_at": "2026-04-22T10:00:00Z",
            }
        },
    )


async def test_each_caller_acts_with_its_own_tenants_credentials(tmp_path: Path) -> None:
    transport, seen = mock_upstream(puffle_answer)
    async with client_for(connect_upstreams(settings(tmp_path), transport)) as client:
        for key in (ACME_KEY, GLOBEX_KEY):
            response = await client.post(
                "/graphql", json=ARCHIVE, headers={"Authorization": f"Bearer {key}"}
            )
            assert (
                response.json()["data"]["updateConversation"]["__typename"] == "ConversationUpdated"
            )
        default = await client.post(
            "/graphql", json=ARCHIVE, headers={"Authorization": f"Bearer {DEFAULT_KEY}"}
        )
    assert [(str(r.url).rsplit("/api", 1)[0], r.headers["authorization"]) for r in seen] == [
        ("https://puffle.test/acme", f"Bearer {ACME_PUFFLE}"),
        ("https://puffle.test/globex", f"Bearer {GLOBEX_PUFFLE}"),
    ]
    # The default tenant has no Puffle token: its sandbox answers, nothing goes out.
    assert default.json()["data"]["updateConversation"]["__typename"] == "ConversationUpdated"


async def test_a_tenants_sandbox_switch_is_its_own(tmp_path: Path) -> None:
    async with client_for(connect_upstreams(settings(tmp_path))) as client:
        response = await client.post(
            "/graphql",
            json={"query": "{ providers { provider mode } }"},
            headers={"Authorization": f"Bearer {ACME_KEY}"},
        )
        globex = await client.post(
            "/graphql",
            json={"query": "{ providers { provider mode } }"},
            headers={"Authorization": f"Bearer {GLOBEX_KEY}"},
        )
    modes = {p["provider"]: p["mode"] for p in response.json()["data"]["providers"]}
    assert modes == {
        "AYRSHARE": "NOT_CONFIGURED",  # acme says sandbox = "off"
        "PUFFLE": "LIVE",
        "HIGHLEVEL": "NOT_CONFIGURED",
        "VCITA": "NOT_CONFIGURED",
        "EBAY": "NOT_CONFIGURED",
    }
    assert {p["mode"] for p in globex.json()["data"]["providers"]} == {"SANDBOX", "LIVE"}


async def test_tenants_never_share_a_sandbox(tmp_path: Path) -> None:
    ayrshare = '{ platform: INSTAGRAM, conversationId: "aWdfZMTpIyzQw", status: ARCHIVED }'
    archive = {
        "query": f"mutation {{ updateConversation(input: {{ayrshare: {ayrshare}}}) {{ __typename }} }}"
    }
    read = {
        "query": '{ conversation(ref: {ayrshare: {platform: INSTAGRAM, id: "aWdfZMTpIyzQw"}})'
        " { ... on AyrshareConversation { status } } }"
    }
    async with client_for(connect_upstreams(settings(tmp_path))) as client:
        default, globex = ({"Authorization": f"Bearer {key}"} for key in (DEFAULT_KEY, GLOBEX_KEY))
        await client.post("/graphql", json=archive, headers=default)
        mine = await client.post("/graphql", json=read, headers=default)
        theirs = await client.post("/graphql", json=read, headers=globex)
    assert mine.json()["data"]["conversation"]["status"] == "ARCHIVED"
    assert theirs.json()["data"]["conversation"]["status"] == "ACTIVE"  # its own sandbox


async def test_tenants_never_share_a_budget(tmp_path: Path) -> None:
    upstreams = connect_upstreams(settings(tmp_path))
    acme = upstreams.client(Provider.PUFFLE, "acme")
    globex = upstreams.client(Provider.PUFFLE, "globex")
    await upstreams.budgets.block(acme._budget_prefix, 60.0, "acme was asked to wait")
    assert await upstreams.budgets.reserve(globex._budget_prefix, None, "Puffle") is None
    assert acme._budget_prefix != globex._budget_prefix
    assert ACME_PUFFLE not in acme._budget_prefix  # a fingerprint, never the credential


async def test_an_unknown_key_acts_as_no_tenant(tmp_path: Path) -> None:
    async with client_for(connect_upstreams(settings(tmp_path))) as client:
        response = await client.post(
            "/graphql", json=ARCHIVE, headers={"Authorization": "Bearer acme-key-1x"}
        )
        anonymous = await client.post("/graphql", json=ARCHIVE)
    assert response.status_code == anonymous.status_code == 401


# --- JWTs ---

ISSUER, AUDIENCE = "https://auth.example", "inboxgraph"


def token(key: Any, algorithm: str, **claims: Any) -> str:
    headers = {"kid": "k1"} if algorithm == "RS256" else None
    payload = {"iss": ISSUER, "aud": AUDIENCE, "exp": int(time.time()) + 60, "tenant": "acme"}
    payload.update(claims)
    return jwt.encode(
        {k: v for k, v in payload.items() if v is not None},
        key,
        algorithm=algorithm,
        headers=headers,
    )


@pytest.fixture
def rsa_keys(tmp_path: Path) -> tuple[Any, Path]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps({"keys": [{**public, "kid": "k1", "alg": "RS256", "use": "sig"}]}))
    return private, jwks


async def answer_for(settings_: Any, bearer: str) -> httpx.Response:
    transport, _ = mock_upstream(puffle_answer)
    async with client_for(connect_upstreams(settings_, transport)) as client:
        return await client.post(
            "/graphql",
            json={"query": "{ providers { provider mode } }"},
            headers={"Authorization": f"Bearer {bearer}"},
        )


JWT_ENV = {"INBOXGRAPH_JWT_ISSUER": ISSUER, "INBOXGRAPH_JWT_AUDIENCE": AUDIENCE}


async def test_a_jwt_verified_with_an_hs256_secret_acts_as_its_tenant(tmp_path: Path) -> None:
    secret = "hs256-secret-that-is-long-enough-123456"
    configured = settings(tmp_path, INBOXGRAPH_JWT_HS256_SECRET=secret, **JWT_ENV)
    accepted = await answer_for(configured, token(secret, "HS256"))
    modes = {p["provider"]: p["mode"] for p in accepted.json()["data"]["providers"]}
    assert modes["PUFFLE"] == "LIVE" and modes["AYRSHARE"] == "NOT_CONFIGURED"  # acme's
    for bad in (
        token("another-secret-entirely-1234567890-abc", "HS256"),
        token(secret, "HS256", iss="https://evil.example"),
        token(secret, "HS256", aud="someone-else"),
        token(secret, "HS256", exp=int(time.time()) - 10),
        token(secret, "HS256", exp=None),
        token(secret, "HS256", tenant="initech"),
        token(secret, "HS256", tenant=None),
    ):
        assert (await answer_for(configured, bad)).status_code == 401


async def test_a_jwt_verified_with_a_jwks_file_acts_as_its_tenant(
    tmp_path: Path, rsa_keys: tuple[Any, Path]
) -> None:
    private, jwks = rsa_keys
    configured = settings(tmp_path, INBOXGRAPH_JWT_JWKS_FILE=str(jwks), **JWT_ENV)
    assert (await answer_for(configured, token(private, "RS256"))).status_code == 200
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert (await answer_for(configured, token(other, "RS256"))).status_code == 401
    # An HS256 token signed with the public key must not pass for RS256.
    assert (
        await answer_for(configured, token("not-the-key-at-all-0123456789-abcdef", "HS256"))
    ).status_code == 401


@pytest.mark.parametrize(
    ("content", "told"),
    [
        ("[tenants.Acme]\n", "tenants.Acme is not a tenant name"),
        ("[tenants.default]\n", "tenants.default is not a tenant name"),
        ("[tenants.acme]\nsandbox = 'maybe'\n", "tenants.acme.sandbox must be 'auto' or 'off'"),
        ("[tenants.acme.providers.myspace]\n", "tenants.acme.providers.myspace is not a provider"),
        ("[tenants.acme]\napi_keys_env = ['NOPE']\n", "names NOPE, which is not set"),
        (
            "[tenants.acme.providers.puffle]\ntoken = 'a'\ntoken_env = 'B'\n",
            "has both token and token_env",
        ),
        ("[tenants.acme]\napi_key = 'x'\n", "has unknown keys: api_key"),
        ("[tenants\n", "INBOXGRAPH_TENANTS_FILE"),
    ],
)
def test_a_bad_tenants_file_is_refused_naming_the_key(
    tmp_path: Path, content: str, told: str
) -> None:
    path = tmp_path / "tenants.toml"
    path.write_text(content)
    with pytest.raises(ConfigurationError) as caught:
        load_settings({"INBOXGRAPH_TENANTS_FILE": str(path)})
    assert told in str(caught.value)


def test_jwt_verification_needs_issuer_and_audience() -> None:
    with pytest.raises(ConfigurationError, match="INBOXGRAPH_JWT_ISSUER"):
        load_settings({"INBOXGRAPH_JWT_HS256_SECRET": "s"})
