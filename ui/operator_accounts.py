"""The operator console's accounts: one per operator, each password kept only as a salted scrypt hash.

    accounts = OperatorAccounts.load(path)          # <data dir>/secrets/operators.json (missing: none)
    accounts.add("ana", "a long passphrase"); accounts.save(path)     # `chronotope operator add ana`
    accounts.check("ana", given)                    # True / False, in about the same time for anyone
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

# scrypt's cost: 16 MiB and ~50 ms per check on this project's CPU, so guessing offline stays expensive.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
MIN_PASSWORD_CHARS = 12
DEFAULT_PASSWORD = "chronotope"  # the settings' default: refused anywhere but on loopback


class AccountError(ValueError):
    """An account that cannot be added or removed; the message says what to change."""


def hash_password(password: str) -> str:
    """A salted scrypt hash of the password: `scrypt$n$r$p$salt$hash` (hex)."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def password_matches(password: str, stored: str) -> bool:
    """Whether `password` hashes to `stored` (a `hash_password` result), compared in constant time."""
    kind, n, r, p, salt, digest = stored.split("$")
    if kind != "scrypt":
        return False
    given = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p))
    return hmac.compare_digest(given, bytes.fromhex(digest))


_DUMMY = hash_password(secrets.token_hex(16))  # checked for unknown names, so they take as long as known ones


@dataclass
class OperatorAccounts:
    """Operator names and their password hashes."""

    hashes: dict[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, path: Path) -> OperatorAccounts:
        """The accounts saved at `path` (none when there is no file yet)."""
        if not path.is_file():
            return cls()
        return cls(dict(json.loads(path.read_text(encoding="utf-8"))["operators"]))

    def save(self, path: Path) -> None:
        """Write the accounts (hashes only) to `path`, readable by its owner only, replacing it atomically."""
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            json.dump({"operators": self.hashes}, out, indent=1)
        temporary.replace(path)

    def add(self, name: str, password: str, *, allow_short: bool = False) -> None:
        """Add an operator or set their new password."""
        name = name.strip()
        if not name or any(c.isspace() for c in name):
            raise AccountError("An operator name is one word without spaces, e.g. 'ana'.")
        if not allow_short and len(password) < MIN_PASSWORD_CHARS:
            raise AccountError(f"Use a password of at least {MIN_PASSWORD_CHARS} characters.")
        self.hashes[name] = hash_password(password)

    def remove(self, name: str) -> None:
        """Remove an operator; raises AccountError when there is none of that name."""
        if self.hashes.pop(name, None) is None:
            known = ", ".join(self.hashes) or "none"
            raise AccountError(f"There is no operator {name!r}. Operators: {known}.")

    def check(self, name: str, password: str) -> bool:
        """Whether the name and password are an operator's (unknown names take as long as known ones)."""
        stored = self.hashes.get(name.strip())
        matches = password_matches(password, stored or _DUMMY)
        return stored is not None and matches

    def weak(self) -> list[str]:
        """Operators whose password is empty or the settings' default."""
        return [name for name, stored in self.hashes.items()
                if password_matches("", stored) or password_matches(DEFAULT_PASSWORD, stored)]
