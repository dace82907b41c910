"""Fixtures of the app tests: the demo shop and a real knowledge-base index behind the real agent loop
(driven by the keyword model), and a live server on a free local port."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest

from agent.graph import ShopAgent
from tests.ui.shop_model import RuleChatModel
from tools.agent_tools import ShopEngines, build_registry
from tools.knowledge import KnowledgeBase
from ui.app import ServeOptions
from ui.conversations import ConversationStore
from ui.customer_token import CustomerTokens
from ui.operator_accounts import OperatorAccounts, hash_password
from ui.services import AppServices
from ui.uploads import UploadArea

ROOT = Path(__file__).resolve().parents[2]
DOCS = ("policies/returns.md", "shipping/shipping-germany.md")
DATA_END = date(2026, 11, 15)  # DemoConfig.small() ends here
OPERATOR_PASSWORD = "correct horse battery"
UPLOAD_LIMIT = 200_000  # bytes: the test console's largest upload
SCREENSHOTS = ROOT / "tests" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
TIMEOUT_MS = 60_000



@pytest.fixture(scope="session")
def ui_kb(tmp_path_factory: pytest.TempPathFactory, embedder) -> KnowledgeBase:
    """A real index of two shop documents (returns, delivery to Germany)."""
    root = tmp_path_factory.mktemp("ui")
    for relative in DOCS:
        target = root / "docs" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / "data" / relative, target)
    kb = KnowledgeBase(root / "chroma", embedder, docs_dir=root / "docs")
    kb.index(progress=False)
    return kb


@pytest.fixture(scope="session")
def shop_registry(demo_shop, ui_kb: KnowledgeBase, embedder, tmp_path_factory: pytest.TempPathFactory):
    """The shop's real tools over the demo store and the index."""
    store, _ = demo_shop
    engines = ShopEngines(
        store=store,
        embedder=embedder,
        anomaly_dir=tmp_path_factory.mktemp("anomaly"),
        open_knowledge_base=lambda: ui_kb,
        open_recommender=lambda: pytest.fail("the app tests do not recommend"),
    )
    return build_registry(engines)


CUSTOMER_KEY = bytes(range(32))  # the test shop's signing key
SERVE = ServeOptions("127.0.0.1", 7860, OperatorAccounts({"operator": hash_password(OPERATOR_PASSWORD)}),
                     CustomerTokens(CUSTOMER_KEY, accept_demo=True))


@pytest.fixture(scope="session")
def make_services(
    demo_shop, ui_kb: KnowledgeBase, shop_registry, tmp_path_factory: pytest.TempPathFactory
) -> Callable[..., AppServices]:
    """App services whose agent runs the real loop and tools with the keyword model; each its own chat DB."""
    store, _ = demo_shop

    def make(word_delay_s: float = 0.0) -> AppServices:
        conversations = ConversationStore(tmp_path_factory.mktemp("conversations") / "app.db")
        model = RuleChatModel(word_delay_s=word_delay_s)
        return AppServices(
            store=store,
            conversations=conversations,
            open_agent=lambda: ShopAgent(model, shop_registry, today=DATA_END),
            open_knowledge_base=lambda: ui_kb,
            uploads=UploadArea(tmp_path_factory.mktemp("uploads"), UPLOAD_LIMIT),
        )

    return make


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_server(
    services: AppServices, options: ServeOptions = SERVE, port: int | None = None
) -> Iterator[str]:
    """Both apps served on 127.0.0.1 (at a free port unless given) for the duration of the block; yields the
    base URL."""
    import uvicorn

    from ui.app import build_app

    port = port or _free_port()
    base_url = f"http://127.0.0.1:{port}"
    app = build_app(services, options, base_url)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           timeout_graceful_shutdown=2))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("The test server did not start within 60 s.")
        time.sleep(0.05)
    try:
        yield base_url
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture(scope="module")
def live_server(make_services: Callable[..., AppServices]) -> Iterator[tuple[str, AppServices]]:
    """A running server (one per test module) whose answers stream word by word, slow enough to see."""
    services = make_services(word_delay_s=0.03)
    with running_server(services) as base_url:
        yield base_url, services


@pytest.fixture(scope="module")
def browser() -> Iterator:
    if not CHROMIUM.exists():
        pytest.fail("Browser tests drive Debian's Chromium: install it with `apt-get install -y chromium` "
                    "(never `playwright install`).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def queue_call(http, app_url: str, session_hash: str, fn_index: int, data: list) -> str:
    """A crafted request straight to an app's queue (no client library; `http`: httpx or a signed-in
    httpx.Client); the event stream's text until the call completes."""
    joined = http.post(f"{app_url}/gradio_api/queue/join",
                       json={"data": data, "fn_index": fn_index, "session_hash": session_hash,
                             "event_data": None, "trigger_id": None})
    assert joined.status_code == 200, joined.text
    seen = []
    with http.stream("GET", f"{app_url}/gradio_api/queue/data", params={"session_hash": session_hash},
                     timeout=60) as stream:
        for line in stream.iter_lines():
            seen.append(line)
            if "process_completed" in line:
                break
    return "\n".join(seen)
