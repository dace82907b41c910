"""Both apps on one FastAPI server: the customer widget at /customer, the operator console (password) at
/operator, a small landing page at /. Local by default (127.0.0.1), no share links, analytics off.

    app = build_app(services, options)            # FastAPI; run with uvicorn
                                                  # (services: ui.services.AppServices)
    serve(services, options)                      # what `chronotope serve` does
"""

from __future__ import annotations

import hmac
import html
import os
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ui.customer_token import CustomerTokens, sign_customer
from ui.services import AppServices
from ui.theme import CSS, SHOP_NAME, app_theme

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


@dataclass(frozen=True)
class ServeOptions:
    """Where the apps listen, the operator console's account and how the widget checks its customers."""

    host: str
    port: int
    operator_user: str
    operator_password: str = field(repr=False)
    customer_tokens: CustomerTokens = field(repr=False)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"


def operator_auth(options: ServeOptions):
    """Gradio auth callback: the operator's user name and password, compared in constant time."""
    user = options.operator_user.encode()
    password = options.operator_password.encode()

    def check(username: str, given: str) -> bool:
        same_user = hmac.compare_digest(username.encode(), user)
        same_password = hmac.compare_digest(given.encode(), password)
        return same_user and same_password

    return check


def build_app(services: AppServices, options: ServeOptions, base_url: str | None = None) -> FastAPI:
    """The FastAPI app with both Gradio apps mounted (`base_url`: how visitors reach it, for the embed
    snippet)."""
    import gradio as gr
    from fastapi import FastAPI
    from fastapi.responses import HTMLResponse

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
    gr.mount_gradio_app(app, customer, path=CUSTOMER_PATH, **common)
    gr.mount_gradio_app(
        app, operator, path=OPERATOR_PATH, auth=operator_auth(options),
        auth_message=f"{SHOP_NAME} operator console: sign in with the operator account.", **common,
    )
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
    console.print(f"  operator console  {base_url}{OPERATOR_PATH}/   (user: {options.operator_user})")
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
