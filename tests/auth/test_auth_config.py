"""The ``auth:`` section of lakegate.yaml, and the authenticator built from it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from gateway.api.identity import build_authenticator
from gateway.config import ConfigError, LakegateConfig, parse_config
from gateway.demo.config_file import demo_config
from gateway.demo.users import DEMO_USERS, demo_password, write_users
from tests.auth.conftest import AUDIENCE, ISSUER, PASSWORDS, IssuedTokens, Keys, jwks_document


def config(tmp_path: Path, auth: dict[str, Any], dev_mode: bool = False) -> LakegateConfig:
    return parse_config({"server": {"dev_mode": dev_mode}, "auth": auth}, tmp_path / "lakegate.yaml")


def jwt_section(**overrides: Any) -> dict[str, Any]:
    return {"issuer": ISSUER, "audience": AUDIENCE, "jwks_file": "keys/jwks.json", **overrides}


def test_everything_configured_with_relative_paths(
    tmp_path: Path, keys: Keys, users_file: Path, api_tokens: IssuedTokens
) -> None:
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "jwks.json").write_text(json.dumps(jwks_document(keys)))
    (tmp_path / "users.yaml").write_text(users_file.read_text())
    tokens_file = {"tokens": [{"name": "etl", "user": "svc_etl", "sha256": api_tokens.good_sha256}]}
    (tmp_path / "tokens.yaml").write_text(yaml.safe_dump(tokens_file))
    entry = {"name": "bi", "user": "svc_bi", "groups": ["bi"], "sha256": api_tokens.revoked_sha256}
    cfg = config(
        tmp_path,
        {
            "jwt": jwt_section(algorithms=["RS256"], clock_skew_seconds=30),
            "basic": {"users_file": "users.yaml"},
            "tokens": {"file": "tokens.yaml", "entries": [entry]},
        },
    )
    assert cfg.auth.jwt is not None
    assert cfg.auth.jwt.user_claim == "preferred_username"
    authenticator = build_authenticator(cfg)
    assert authenticator.methods == ("jwt", "basic", "api-token")
    assert not authenticator.dev_mode
    assert authenticator.authenticate(f"Bearer {api_tokens.revoked}").groups == ("bi",)
    assert authenticator.basic is not None
    assert authenticator.basic.authenticate("ada", PASSWORDS["ada"]).user == "ada"


def test_no_auth_section_means_no_method(tmp_path: Path) -> None:
    cfg = parse_config({}, tmp_path / "lakegate.yaml")
    assert build_authenticator(cfg).methods == ()


@pytest.mark.parametrize(
    ("auth", "problem"),
    [
        ({"jwt": jwt_section(discovery_url=f"{ISSUER}/.well-known/openid-configuration")}, "exactly one"),
        ({"jwt": jwt_section(jwks_file=None)}, "exactly one"),
        ({"jwt": jwt_section(algorithms=["RS256", "HS256"])}, "symmetric"),
        ({"jwt": jwt_section(algorithms=["none"])}, "none"),
        ({"jwt": jwt_section(algorithms=[])}, "non-empty"),
        (
            {"jwt": jwt_section(jwks_file=None, discovery_url="http://idp.example.test/.well-known/x")},
            "https",
        ),
        ({"jwt": jwt_section(clock_skew_seconds=3600)}, "600"),
        ({"jwt": {"issuer": ISSUER, "jwks_file": "x"}}, "audience"),
        ({"basic": {}}, "users_file"),
        ({"tokens": {}}, "file, entries or both"),
        ({"tokens": {"entries": [{"name": "a", "user": "u", "sha256": "lg_plaintext-token"}]}}, "pattern"),
        ({"dev_mode": True}, "dev_mode"),
    ],
)
def test_bad_auth_sections(tmp_path: Path, auth: dict[str, Any], problem: str) -> None:
    with pytest.raises(ConfigError, match=problem) as info:
        config(tmp_path, auth)
    assert "lg_plaintext-token" not in str(info.value)


def test_loopback_discovery_may_use_http(tmp_path: Path) -> None:
    url = "http://127.0.0.1:8081/realms/x/.well-known/openid-configuration"
    cfg = config(tmp_path, {"jwt": jwt_section(jwks_file=None, discovery_url=url)})
    assert build_authenticator(cfg).jwt is not None  # the issuer is only asked on first use


def test_bad_files_fail_at_start_up(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"auth\.basic\.users_file: .*cannot read"):
        build_authenticator(config(tmp_path, {"basic": {"users_file": "missing.yaml"}}))
    with pytest.raises(ConfigError, match=r"auth\.tokens: .*cannot read"):
        build_authenticator(config(tmp_path, {"tokens": {"file": "missing.yaml"}}))
    with pytest.raises(ConfigError, match=r"auth\.jwt\.jwks_file: cannot read"):
        build_authenticator(config(tmp_path, {"jwt": jwt_section()}))
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "jwks.json").write_text(json.dumps({"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}))
    with pytest.raises(ConfigError, match="no usable public signature key"):
        build_authenticator(config(tmp_path, {"jwt": jwt_section()}))


def test_demo_users_file(tmp_path: Path) -> None:
    path = write_users(tmp_path)
    again = tmp_path / "again"
    again.mkdir()
    assert write_users(again).read_bytes() == path.read_bytes()  # reproducible, for the demo only
    raw = demo_config()
    assert raw["server"]["dev_mode"] is False
    cfg = parse_config(raw, tmp_path / "lakegate.yaml")
    authenticator = build_authenticator(cfg)
    assert authenticator.basic is not None
    for user, groups in DEMO_USERS.items():
        assert authenticator.basic.authenticate(user, demo_password(user)).groups == tuple(groups)
    assert "ada-demo-pw" not in path.read_text().split("\n", 3)[3]  # only hashes below the header
