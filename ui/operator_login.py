"""Signing in to the operator console: each failure slows the next answer down, repeated failures lock the
account and the address out for a while, and a session ends after a while (or at once on sign-out).

    guard = LoginGuard(accounts, LoginPolicy())
    mount_gradio_app(..., auth=guard.check)           # async: the wait never blocks the server
    gradio_app.tokens = SessionTokens(LoginPolicy())  # Gradio's sign-in tokens, now expiring
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import time
from dataclasses import dataclass, field

from ui.operator_accounts import OperatorAccounts

logger = logging.getLogger(__name__)
TRACKED = 10_000  # accounts and addresses with failures remembered at once (the locked ones always are)
# The address of the request being served, set by `ui.web_guard` (Gradio's auth callback only gets the name
# and password).
client_address: contextvars.ContextVar[str] = contextvars.ContextVar("client_address", default="unknown")


@dataclass(frozen=True)
class LoginPolicy:
    """How failures are slowed down and locked out, and how long a signed-in session lasts."""

    max_failures: int = 5  # failures in a row (per account and per address) before the lockout
    lockout_s: float = 900.0
    delay_s: float = 0.5  # the wait after a failure, doubled for each failure in a row, at most max_delay_s
    max_delay_s: float = 4.0
    session_s: float = 8 * 3600.0  # a session ends this long after sign-in ...
    idle_s: float = 3600.0  # ... or after this long without a request


@dataclass
class _Failures:
    count: int = 0
    locked_until: float = 0.0


@dataclass
class LoginGuard:
    """Gradio's auth callback over the operator accounts, with slow-down and lockout."""

    accounts: OperatorAccounts
    policy: LoginPolicy = field(default_factory=LoginPolicy)
    _failures: dict[str, _Failures] = field(default_factory=dict, repr=False)

    async def check(self, username: str, password: str) -> bool:
        """Whether to sign this operator in; answers 429 while the account or the address is locked out."""
        from fastapi import HTTPException

        keys = (f"user:{username.strip().lower()}", f"address:{client_address.get()}")
        now = time.monotonic()
        locked = max(self._failures.get(key, _Failures()).locked_until for key in keys)
        if locked > now:
            minutes = max(1, round((locked - now) / 60))
            logger.warning("operator sign-in refused: %r from %s is locked out for %d min",
                           username, client_address.get(), minutes)
            raise HTTPException(429, f"Too many failed sign-ins; try again in {minutes} minute(s).")
        if await asyncio.to_thread(self.accounts.check, username, password):
            for key in keys:
                self._failures.pop(key, None)
            logger.info("operator %r signed in from %s", username, client_address.get())
            return True
        streak = max(self._fail(key, now) for key in keys)
        logger.warning("operator sign-in refused: wrong name or password for %r from %s (%d in a row)",
                       username, client_address.get(), streak)
        await asyncio.sleep(min(self.policy.delay_s * 2 ** (streak - 1), self.policy.max_delay_s))
        return False

    def _fail(self, key: str, now: float) -> int:
        if len(self._failures) >= TRACKED:  # made-up names and addresses must not fill the memory
            self._failures = {k: f for k, f in self._failures.items() if f.locked_until > now}
        failures = self._failures.setdefault(key, _Failures())
        if failures.locked_until and failures.locked_until <= now:
            failures.count = 0  # the lockout has passed: a fresh start
        failures.count += 1
        if failures.count >= self.policy.max_failures:
            failures.locked_until = now + self.policy.lockout_s
        return failures.count


class SessionTokens(dict):
    """Gradio's sign-in tokens (token -> operator) that expire: `session_s` after sign-in, or `idle_s` after
    the last request. An expired token reads as absent, which Gradio treats as signed out."""

    def __init__(self, policy: LoginPolicy):
        super().__init__()
        self.policy = policy
        self._issued: dict[str, float] = {}
        self._seen: dict[str, float] = {}

    def __setitem__(self, token: str, user: str) -> None:
        now = time.monotonic()
        for old in [t for t in list(self) if self._expired(t, now)]:
            self._drop(old)
        self._issued[token] = self._seen[token] = now
        super().__setitem__(token, user)

    def get(self, token: object, default: object = None) -> object:
        """The operator of a live token (and it counts as a request), else `default`."""
        if not isinstance(token, str) or not super().__contains__(token):
            return default
        now = time.monotonic()
        if self._expired(token, now):
            self._drop(token)
            return default
        self._seen[token] = now
        return super().__getitem__(token)

    def __contains__(self, token: object) -> bool:
        return self.get(token) is not None

    def __delitem__(self, token: str) -> None:
        self._drop(token)

    def _expired(self, token: str, now: float) -> bool:
        return (now - self._issued.get(token, now) > self.policy.session_s
                or now - self._seen.get(token, now) > self.policy.idle_s)

    def _drop(self, token: str) -> None:
        super().pop(token, None)
        self._issued.pop(token, None)
        self._seen.pop(token, None)
