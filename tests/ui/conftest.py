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

from agent.config import Settings
from agent.graph import ShopAgent
from tests.conftest import SHARED_DATA
from tests.ui.shop_model import RuleChatModel
from ui.backend import AppBackend

ROOT = Path(__file__).resolve().parents[2]
DOCS = ("policies/returns.md", "shipping/shipping-germany.md")
DATA_END = date(2026, 11, 15)  # DemoConfig.small() ends here
OPERATOR_PASSWORD = "correct horse battery"
SCREENSHOTS = ROOT / "tests" / "screenshots"


@pytest.fixture(scope="session")
def ui_settings(demo_shop, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings over the demo shop and a real index of two shop documents (returns, delivery to Germany)."""
    from tools.knowledge import KnowledgeBase

    store, _ = demo_shop
    root = tmp_path_factory.mktemp("ui")
    for relative in DOCS:
        target = root / "docs" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / "data" / relative, target)
    settings = Settings(
        data_dir=root / "state",
        store_dir=store.root,
        docs_dir=root / "docs",
        shared_data_dir=SHARED_DATA,
        operator_password=OPERATOR_PASSWORD,
    )
    KnowledgeBase(settings).index(progress=False)
    return settings


@pytest.fixture(scope="session")
def shop_registry(ui_settings: Settings):
    """The shop's real tools over the demo store and the index."""
    from tools.agent_tools import build_registry

    return build_registry(ui_settings)


@pytest.fixture(scope="session")
def make_backend(
    ui_settings: Settings, shop_registry, tmp_path_factory: pytest.TempPathFactory
) -> Callable[..., AppBackend]:
    """Backends whose agent runs the real loop and tools with the keyword model; each its own conversation DB."""

    def make(word_delay_s: float = 0.0) -> AppBackend:
        database = tmp_path_factory.mktemp("conversations") / "app.db"
        settings = ui_settings.model_copy(update={"conversations_db": database})
        model = RuleChatModel(word_delay_s=word_delay_s)
        return AppBackend(settings, lambda: ShopAgent(model, shop_registry, today=DATA_END))

    return make


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_server(backend: AppBackend) -> Iterator[str]:
    """Both apps served on 127.0.0.1 at a free port for the duration of the block; yields the base URL."""
    import uvicorn

    from ui.app import build_app

    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    server = uvicorn.Server(uvicorn.Config(build_app(backend, base_url), host="127.0.0.1", port=port,
                                           log_level="warning", timeout_graceful_shutdown=2))
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
def live_server(make_backend: Callable[..., AppBackend]) -> Iterator[tuple[str, AppBackend]]:
    """A running server (one per test module) whose answers stream word by word, slow enough to see."""
    backend = make_backend(word_delay_s=0.03)
    with running_server(backend) as base_url:
        yield base_url, backend
