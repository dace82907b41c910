"""What every response of the server carries and what no request gets past, in one ASGI middleware in front
of both apps: a Host allow-list (a page on another name that resolves to this server, DNS rebinding, is
refused), routes closed per app (the customer app takes no uploads and serves no files), and security
headers (CSP without remote images, frame-ancestors, nosniff, referrer policy).

    app.add_middleware(WebGuard, policy=GuardPolicy(...))
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from ui.operator_login import client_address

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

# Gradio's page needs inline scripts and runs events' `js` through eval; what matters here is that nothing
# loads from, or connects to, another origin (no remote images: no tracking pixels) and who may frame it.
CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
       "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
       "connect-src 'self'; media-src 'self' blob:; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors {ancestors}")


@dataclass(frozen=True)
class GuardPolicy:
    """The host names the server answers to, who may frame which path, and the paths closed to everyone."""

    allowed_hosts: frozenset[str]
    framed_by: dict[str, str]  # path prefix -> frame-ancestors sources; anything else: 'none'
    closed: tuple[str, ...]  # path prefixes answered 404


class WebGuard:
    """The ASGI middleware applying a GuardPolicy."""

    def __init__(self, app: Callable[..., Awaitable[None]], policy: GuardPolicy):
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = {name.decode("latin-1").lower(): value.decode("latin-1")
                   for name, value in scope["headers"]}
        path = scope.get("path", "")
        refused = None
        if _hostname(headers.get("host", "")) not in self.policy.allowed_hosts:
            refused = (400, "Unknown host: this server answers only to its configured names.")
        elif path.startswith(self.policy.closed):
            refused = (404, "Not found.")
        if refused is not None:
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
            else:
                await _plain(send, *refused)
            return
        client_address.set((scope.get("client") or ("unknown", 0))[0])
        ancestors = next((sources for prefix, sources in self.policy.framed_by.items()
                          if path.startswith(prefix)), "'none'")

        async def with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                extra = [(b"content-security-policy", CSP.format(ancestors=ancestors).encode()),
                         (b"x-content-type-options", b"nosniff"),
                         (b"referrer-policy", b"no-referrer")]
                if ancestors == "'none'":
                    extra.append((b"x-frame-options", b"DENY"))
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, with_headers)


def _hostname(host: str) -> str:
    """The name in a Host header, without its port ("[::1]:7860" -> "::1")."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


async def _plain(send: Send, status: int, text: str) -> None:
    body = text.encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
