"""Both apps on one FastAPI server: the customer widget at /customer, the operator console (password) at
/operator, a small landing page at /. Local by default (127.0.0.1), no share links, analytics off.

    app = build_app(services, options)            # FastAPI; run with uvicorn
                                                  # (services: ui.services.AppServices)
    serve(services, options)                      # what `chronotope serve` does
"""

from __future__ import annotations

import html
import os
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ui.customer_token import CustomerTokens, sign_customer
from ui.operator_accounts import OperatorAccounts
from ui.operator_login import LoginGuard, LoginPolicy, SessionTokens
from ui.services import AppServices
from ui.theme import CSS, SHOP_NAME, app_theme
from ui.uploads import FilePathGuard
from ui.web_guard import GuardPolicy, WebGuard

if TYPE_CHECKING:
    from fastapi import FastAPI, Request

# Gradio reads these at import time: set them before any `import gradio`.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("GRADIO_SERVER_NAME", "127.0.0.1")

CUSTOMER_PATH = "/customer"
OPERATOR_PATH = "/operator"
QUEUE_CONCURRENCY = 2  # agent runs at once per app: the model itself decodes one request at a time
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
DEMO_TOKEN_TTL_S = 12 * 3600
# The customer app takes no uploads and serves no files (the operator's uploads hold customer data).
CUSTOMER_CLOSED = ("/gradio_api/upload", "/upload", "/gradio_api/file=", "/file=")


def is_loopback(host: str) -> bool:
    """Whether `host` names this machine only (nothing else on the network reaches it)."""
    return host.strip("[]").lower() in LOOPBACK_HOSTS


def iframe_snippet(base_url: str) -> str:
    """The HTML a shop pastes into its pages to embed the customer widget."""
    return (
        f'<iframe src="{base_url.rstrip("/")}{CUSTOMER_PATH}/" title="{SHOP_NAME} assistant" '
        'style="width: 420px; height: 720px; border: 0; border-radius: 12px; '
        'box-shadow: 0 8px 30px rgba(0,0,0,.12);" allow="clipboard-write"></iframe>'
    )


class UnsafeServeOptions(ValueError):
    """Options that would expose the apps unprotected (a public host with a default password, no Host
    names); the message says what to set."""


@dataclass(frozen=True)
class ServeOptions:
    """Where the apps listen, who may sign in to the console, how the widget checks its customers, and the
    host names visitors use."""

    host: str
    port: int
    operators: OperatorAccounts = field(repr=False)
    customer_tokens: CustomerTokens = field(repr=False)
    allowed_hosts: tuple[str, ...] = ()  # names besides loopback's and `host` (the public name, a proxy's)
    embed_origins: tuple[str, ...] = ()  # the shop's pages that may frame the widget; none: any page
    login: LoginPolicy = field(default_factory=LoginPolicy)

    def __post_init__(self) -> None:
        if not self.operators.hashes:
            raise UnsafeServeOptions("There is no operator account: add one with "
                                     "`chronotope operator add NAME`.")
        if is_loopback(self.host):
            return
        weak = self.operators.weak()
        if weak:
            raise UnsafeServeOptions(
                f"Refusing to serve on {self.host} with the default or an empty password for "
                f"{', '.join(weak)}: add operators with `chronotope operator add NAME` (or set "
                "CHRONOTOPE_OPERATOR_PASSWORD), or serve on 127.0.0.1."
            )
        if not self.allowed_hosts:
            raise UnsafeServeOptions(
                f"Serving on {self.host} needs the host names visitors use: set CHRONOTOPE_ALLOWED_HOSTS "
                "(e.g. [\"assistant.example.com\"]); requests for any other name are refused."
            )

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"


def guard_policy(options: ServeOptions) -> GuardPolicy:
    """What the server answers to: its names, the widget framed by the shop's pages, no customer files."""
    hosts = {*LOOPBACK_HOSTS, *(h.lower() for h in options.allowed_hosts)}
    if options.host not in ("0.0.0.0", "::"):
        hosts.add(options.host.strip("[]").lower())
    return GuardPolicy(
        allowed_hosts=frozenset(hosts),
        framed_by={f"{CUSTOMER_PATH}/": " ".join(options.embed_origins) or "*"},
        closed=tuple(f"{CUSTOMER_PATH}{route}" for route in CUSTOMER_CLOSED),
    )


def build_app(services: AppServices, options: ServeOptions, base_url: str | None = None) -> FastAPI:
    """The FastAPI app with both Gradio apps mounted (`base_url`: how visitors reach it, for the embed
    snippet)."""
    import gradio as gr
    from fastapi import FastAPI
    from fastapi.responses import HTMLResponse
    from starlette.middleware.cors import CORSMiddleware
    from starlette.routing import Mount

    from ui.customer import build_customer_app
    from ui.operator import build_operator_app

    base_url = base_url or options.base_url
    app = FastAPI(title=SHOP_NAME, docs_url=None, redoc_url=None, openapi_url=None)

    def landing(request: Request) -> HTMLResponse:
        return HTMLResponse(_landing_html(base_url, _demo_sign_in(services, options, request)))

    app.add_route("/", landing, methods=["GET"], include_in_schema=False)

    customer = build_customer_app(services, options.customer_tokens, QUEUE_CONCURRENCY).queue(
        default_concurrency_limit=QUEUE_CONCURRENCY
    )
    operator = build_operator_app(services, QUEUE_CONCURRENCY).queue(
        default_concurrency_limit=QUEUE_CONCURRENCY
    )
    common = {"theme": app_theme(), "css": CSS, "footer_links": [], "ssr_mode": False, "show_error": True,
              "server_name": options.host, "server_port": options.port}
    gr.mount_gradio_app(app, customer, path=CUSTOMER_PATH, max_file_size=1, **common)  # route closed too
    gr.mount_gradio_app(
        app, operator, path=OPERATOR_PATH, auth=LoginGuard(options.operators, options.login).check,
        auth_message=f"{SHOP_NAME} operator console: sign in with your operator account.",
        max_file_size=services.uploads.max_bytes, **common,
    )
    console = next(r.app for r in app.routes if isinstance(r, Mount) and r.path == OPERATOR_PATH)
    console.tokens = SessionTokens(options.login)  # sign-ins that expire
    services.uploads.reset()
    # Uploads, and every copy Gradio makes of the console's files, go to one folder emptied at each start.
    console.uploaded_file_dir = str(services.uploads.root)
    for block in (operator, *operator.blocks.values()):
        block.GRADIO_CACHE = str(services.uploads.root)
    # Cross-origin requests get no CORS headers at all (the widget runs in its own frame, same-origin with
    # the server): a CORS middleware on this app also turns off Gradio's own, which echoes origins.
    app.add_middleware(CORSMiddleware, allow_origins=[], allow_credentials=False)
    app.add_middleware(FilePathGuard, prefix=f"{OPERATOR_PATH}/gradio_api/", area=services.uploads)
    app.add_middleware(WebGuard, policy=guard_policy(options))
    return app


def serve(services: AppServices, options: ServeOptions) -> None:
    """Run both apps until interrupted, printing their URLs."""
    import uvicorn
    from rich.console import Console

    base_url = options.base_url
    app = build_app(services, options, base_url)
    console = Console()
    console.print(f"[bold]{SHOP_NAME}[/] is running:")
    console.print(f"  customer widget   {base_url}{CUSTOMER_PATH}/")
    operators = ", ".join(options.operators.hashes)
    console.print(f"  operator console  {base_url}{OPERATOR_PATH}/   (operators: {operators})")
    console.print(f"  embed with        {iframe_snippet(base_url)}", soft_wrap=True, markup=False)
    if options.host not in ("127.0.0.1", "localhost", "::1"):
        console.print(f"[yellow]Listening on {options.host}: reachable from other machines.[/]")
    # Load the model and fill its prompt cache while the first visitor is still reading the page.
    threading.Thread(target=lambda: services.agent.warm_up(), name="warm-up", daemon=True).start()
    uvicorn.run(app, host=options.host, port=options.port, log_level="warning")


def _demo_sign_in(services: AppServices, options: ServeOptions, request: Request) -> str:
    """The local demo's sign-in links (a signed demo token per demo customer), only for a visitor on this
    machine of a loopback server in demo mode; empty anywhere else."""
    local = (is_loopback(options.host) and request.client is not None and is_loopback(request.client.host)
             and is_loopback(request.url.hostname or ""))
    if not (options.customer_tokens.accept_demo and local):
        return ""
    links = []
    for customer in services.demo_customers:
        token = sign_customer(options.customer_tokens.key, customer.user_id, DEMO_TOKEN_TTL_S, demo=True)
        links.append(f'<a class="demo-customer" href="{CUSTOMER_PATH}/#token={token}">'
                     f"{html.escape(customer.name)} ({html.escape(customer.user_id)}, "
                     f"{customer.orders} orders)</a>")
    return ('<section class="demo"><b>Demo sign-in</b> (local demo only: shown on 127.0.0.1 for the '
            "generated demo shop, never on a public host). Open the widget as a demo customer; a real shop "
            'signs its customers in as <code>docs/embedding.md</code> shows.<div>' + "".join(links)
            + "</div></section>")


def _landing_html(base_url: str, demo_sign_in: str) -> str:
    snippet = html.escape(iframe_snippet(base_url))
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{SHOP_NAME}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body {{ font-family: Inter, ui-sans-serif, system-ui, sans-serif; background: #f8fafc; color: #0f172a;
  margin: 0; display: flex; justify-content: center; }}
main {{ max-width: 760px; padding: 48px 24px; }}
.logo {{ display: inline-flex; width: 44px; height: 44px; border-radius: 12px; align-items: center;
  justify-content: center; background: linear-gradient(135deg, #4f46e5, #0ea5e9); color: #fff;
  font-weight: 700; font-size: 22px; margin-right: 12px; vertical-align: middle; }}
h1 {{ display: inline; vertical-align: middle; font-size: 26px; }}
.cards {{ display: grid; grid-template-columns: 1fr 1fr; gap: 16px; margin: 28px 0; }}
a.card {{ display: block; padding: 20px; border-radius: 14px; background: #fff; border: 1px solid #e2e8f0;
  text-decoration: none; color: inherit; }}
a.card:hover {{ border-color: #4f46e5; }}
a.card b {{ color: #4f46e5; font-size: 17px; }}
pre {{ background: #0f172a; color: #e2e8f0; padding: 14px; border-radius: 10px; white-space: pre-wrap;
  font-size: 12.5px; }}
.demo {{ border: 2px dashed #f59e0b; background: #fffbeb; border-radius: 12px; padding: 14px; }}
.demo div {{ display: flex; flex-wrap: wrap; gap: 8px; margin-top: 10px; }}
a.demo-customer {{ background: #fff; border: 1px solid #f59e0b; border-radius: 8px; padding: 4px 10px;
  color: #92400e; text-decoration: none; font-size: 13px; }}
</style></head><body><main>
<span class="logo">C</span><h1>{SHOP_NAME}</h1>
<div class="cards">
<a class="card" href="{CUSTOMER_PATH}/"><b>Customer assistant</b><p>The chat widget shoppers see: delivery,
returns, their orders, recommendations, with sources.</p></a>
<a class="card" href="{OPERATOR_PATH}/"><b>Operator console</b><p>Analytics chat with tool traces and charts,
alerts, data import, conversations and feedback. Password required.</p></a>
</div>
{demo_sign_in}
<p>Embed the assistant on any page (the shop signs in its customers: <code>docs/embedding.md</code>):</p>
<pre>{snippet}</pre>
</main></body></html>"""
