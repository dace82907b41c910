"""The operator console's sign-in on a real local server, attacked over HTTP: a default password off
loopback never starts; passwords are kept hashed, one account per operator; repeated failures slow down and
lock out; sessions expire and sign-out ends them; a foreign Host is refused and no foreign origin gets CORS
headers; both apps send security headers."""

from __future__ import annotations

import dataclasses
import logging
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from agent.config import get_settings
from chronotope.cli import app as cli
from tests.ui.conftest import OPERATOR_PASSWORD, SERVE, running_server
from ui.app import ServeOptions, UnsafeServeOptions
from ui.operator_accounts import OperatorAccounts, hash_password
from ui.operator_login import LoginPolicy

POLICY = LoginPolicy(max_failures=3, lockout_s=600, delay_s=0.05, max_delay_s=0.2, session_s=60, idle_s=60)


@pytest.fixture(scope="module")
def server(make_services):
    """A server whose sign-in locks out after 3 failures (its own: the lockout must not touch others)."""
    with running_server(make_services(), dataclasses.replace(SERVE, login=POLICY)) as base_url:
        yield base_url


def _login(base_url: str, user: str, password: str, client: httpx.Client | None = None) -> httpx.Response:
    return (client or httpx).post(f"{base_url}/operator/login", data={"username": user, "password": password})


def test_a_default_or_empty_password_never_serves_off_loopback(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("CHRONOTOPE_DATA_DIR", str(tmp_path / "state"))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0"])
        assert result.exit_code == 2 and "default or an empty password" in result.output
        added = CliRunner().invoke(cli, ["operator", "add", "ana", "--password-stdin"],
                                   input="a long passphrase\n")
        assert added.exit_code == 0, added.output
        stored = (tmp_path / "state" / "secrets" / "operators.json").read_text()
        assert "ana" in stored and "a long passphrase" not in stored and "scrypt$" in stored
        assert CliRunner().invoke(cli, ["operator", "list"]).output.split() == ["ana"]
        short = CliRunner().invoke(cli, ["operator", "add", "bo", "--password-stdin"], input="short\n")
        assert short.exit_code == 2 and "at least 12 characters" in short.output
    finally:
        get_settings.cache_clear()
    empty = OperatorAccounts()
    empty.add("ana", "", allow_short=True)
    with pytest.raises(UnsafeServeOptions, match="empty password"):
        ServeOptions("0.0.0.0", 7860, empty, SERVE.customer_tokens, allowed_hosts=("shop.example",))
    strong = OperatorAccounts({"ana": hash_password("a long passphrase")})
    with pytest.raises(UnsafeServeOptions, match="ALLOWED_HOSTS"):
        ServeOptions("0.0.0.0", 7860, strong, SERVE.customer_tokens)
    ServeOptions("0.0.0.0", 7860, strong, SERVE.customer_tokens, allowed_hosts=("shop.example",))
    assert OperatorAccounts(strong.hashes).check("ana", "a long passphrase")
    assert not strong.check("ana", "a long passphrase!") and not strong.check("bob", "a long passphrase")


def test_repeated_failures_lock_the_account_out_with_one_log_line_each(server, caplog, capfd) -> None:
    caplog.set_level(logging.INFO)
    started = time.monotonic()
    for _ in range(POLICY.max_failures):
        assert _login(server, "lockme", "guess").status_code == 400
    assert time.monotonic() - started >= POLICY.delay_s * 3  # each failure waited longer than the last
    refused = [r for r in caplog.records if "sign-in refused" in r.getMessage()]
    assert len(refused) == POLICY.max_failures and all(r.exc_info is None for r in refused)
    locked = _login(server, "lockme", "anything")
    assert locked.status_code == 429 and "try again in" in locked.text
    assert "Traceback" not in capfd.readouterr().err


def test_the_address_is_locked_out_too_then_the_right_password_waits(server) -> None:
    # The previous test's failures came from this address: even the real account is refused now.
    response = _login(server, "operator", OPERATOR_PASSWORD)
    assert response.status_code == 429


def test_sign_out_and_expiry_end_a_session(make_services) -> None:
    short = dataclasses.replace(POLICY, session_s=1.5)
    with running_server(make_services(), dataclasses.replace(SERVE, login=short)) as base_url:
        with httpx.Client() as operator:
            assert _login(base_url, "operator", OPERATOR_PASSWORD, operator).status_code == 200
            assert operator.get(f"{base_url}/operator/config").status_code == 200
            cookies = dict(operator.cookies)
            assert operator.get(f"{base_url}/operator/logout").status_code == 302
            replayed = httpx.get(f"{base_url}/operator/config", cookies=cookies)
            assert replayed.status_code == 401  # the token itself is gone, not just the cookie
        with httpx.Client() as operator:
            assert _login(base_url, "operator", OPERATOR_PASSWORD, operator).status_code == 200
            assert operator.get(f"{base_url}/operator/config").status_code == 200
            time.sleep(2)
            assert operator.get(f"{base_url}/operator/config").status_code == 401


def test_a_foreign_host_is_refused_and_foreign_origins_get_no_cors(live_server) -> None:
    base_url, _ = live_server
    rebound = {"Host": "rebind.attacker.example"}
    assert httpx.get(f"{base_url}/operator/config", headers=rebound).status_code == 400
    login = httpx.post(f"{base_url}/operator/login", headers=rebound,
                       data={"username": "operator", "password": OPERATOR_PASSWORD})
    assert login.status_code == 400 and "access-token" not in login.headers.get("set-cookie", "")
    evil = {"Origin": "http://evil.example"}
    for response in (
        httpx.post(f"{base_url}/operator/login", headers=evil,
                   data={"username": "operator", "password": OPERATOR_PASSWORD}),
        httpx.get(f"{base_url}/customer/config", headers=evil),
        httpx.options(f"{base_url}/operator/login",
                      headers={**evil, "Access-Control-Request-Method": "POST"}),
    ):
        assert "access-control-allow-origin" not in response.headers
        assert "access-control-allow-credentials" not in response.headers


def test_both_apps_send_security_headers(live_server) -> None:
    base_url, _ = live_server
    for path, ancestors in (("/", "'none'"), ("/operator/", "'none'"), ("/customer/", "*")):
        headers = httpx.get(f"{base_url}{path}").headers
        assert f"frame-ancestors {ancestors}" in headers["content-security-policy"]
        assert "img-src 'self' data: blob:;" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
    assert httpx.get(f"{base_url}/operator/").headers["x-frame-options"] == "DENY"
