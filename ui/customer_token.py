"""Who is signed in on the shop, as the shop's backend tells the embedded widget: an HMAC-SHA256 signed,
expiring token naming the customer. The widget never lets a visitor pick a customer; without a valid token
the visitor is a guest.

    token = sign_customer(key, "U000042", ttl_s=3600)     # the shop's backend (docs/embedding.md)
    verify_customer(key, token)                          # -> CustomerIdentity, or raises InvalidCustomerToken

Format: `v1.<base64url(JSON {"sub", "exp", "demo"?})>.<base64url(HMAC-SHA256(key, "v1." + payload))>`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

VERSION = "v1"
DEFAULT_TTL_S = 3600
MAX_TOKEN_CHARS = 2048
KEY_BYTES = 32


class InvalidCustomerToken(ValueError):
    """A customer token that is malformed, tampered with, signed with another key or expired."""


@dataclass(frozen=True)
class CustomerIdentity:
    """The customer a valid token names, until when, and whether it is the local demo's sign-in."""

    user_id: str
    expires_at: int
    demo: bool = False


def sign_customer(key: bytes, user_id: str, ttl_s: int = DEFAULT_TTL_S, *, demo: bool = False,
                  now: float | None = None) -> str:
    """A token saying `user_id` is signed in, valid for `ttl_s` seconds."""
    if not user_id or not isinstance(user_id, str):
        raise ValueError("A customer token needs the customer's id (a non-empty string).")
    claims: dict[str, object] = {"sub": user_id, "exp": int((now or time.time()) + ttl_s)}
    if demo:
        claims["demo"] = True
    payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
    return f"{VERSION}.{payload}.{_b64(_mac(key, payload))}"


def verify_customer(key: bytes, token: str, now: float | None = None) -> CustomerIdentity:
    """The identity in a token signed with `key` that has not expired; raises InvalidCustomerToken."""
    if not token or len(token) > MAX_TOKEN_CHARS or token.count(".") != 2:
        raise InvalidCustomerToken("The sign-in token is malformed.")
    version, payload, signature = token.split(".")
    try:
        given = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
    except ValueError as error:
        raise InvalidCustomerToken("The sign-in token is malformed.") from error
    if version != VERSION or not hmac.compare_digest(given, _mac(key, payload)):
        raise InvalidCustomerToken("The sign-in token's signature does not match.")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    user_id, expires_at = claims.get("sub"), claims.get("exp")
    if not isinstance(user_id, str) or not user_id or not isinstance(expires_at, int):
        raise InvalidCustomerToken("The sign-in token names no customer or no expiry.")
    if expires_at <= (now or time.time()):
        raise InvalidCustomerToken("The sign-in token has expired; the shop signs a new one on each page.")
    return CustomerIdentity(user_id, expires_at, bool(claims.get("demo")))


def load_or_create_key(path: Path) -> bytes:
    """The signing key kept at `path` (hex), made on first use with permissions for its owner only."""
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(secrets.token_hex(KEY_BYTES) + "\n")
    return parse_key(path.read_text(encoding="utf-8"))


def parse_key(text: str) -> bytes:
    """A key written as hex (at least 32 bytes); raises ValueError for anything shorter."""
    key = bytes.fromhex(text.strip())
    if len(key) < KEY_BYTES:
        raise ValueError(f"A customer-token key needs at least {KEY_BYTES} bytes "
                         f"({2 * KEY_BYTES} hex digits).")
    return key


def _mac(key: bytes, payload: str) -> bytes:
    return hmac.new(key, f"{VERSION}.{payload}".encode(), hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass(frozen=True)
class CustomerTokens:
    """How the widget checks who is signed in: the shop's key, and whether the local demo's sign-in counts."""

    key: bytes = field(repr=False)
    accept_demo: bool = False

    def identify(self, token: str | None, now: float | None = None) -> CustomerIdentity | None:
        """The signed-in customer, or None for a guest (no token); raises InvalidCustomerToken."""
        if not token:
            return None
        identity = verify_customer(self.key, token, now)
        if identity.demo and not self.accept_demo:
            raise InvalidCustomerToken("Demo sign-ins only work in the local demo.")
        return identity
