"""`chronotope serve` (prepare steps, URLs) and `chronotope export-conversations`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from agent.config import Settings, get_settings
from chronotope.cli import app
from chronotope.prepare import STEPS, PrepareStep, prepare
from finetune.data import load_app_export
from tests.ui.conftest import _free_port
from ui.conversations import ConversationStore

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CHRONOTOPE_DATA_DIR", str(tmp_path / "state"))
    get_settings.cache_clear()
    yield tmp_path / "state"
    get_settings.cache_clear()


def test_export_without_conversations_says_how_to_get_some(data_dir: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["export-conversations", str(tmp_path / "out.jsonl")])
    assert result.exit_code == 1
    assert "no conversations yet" in result.output and "chronotope serve" in result.output


def test_export_writes_what_finetune_reads(data_dir: Path, tmp_path: Path) -> None:
    store = ConversationStore(get_settings().conversations_path)
    conversation = store.start("customer", "U000001")
    index = store.add_messages(conversation, [{"role": "user", "content": "Do you ship to Spain?"},
                                              {"role": "assistant", "content": "Yes. [shipping#spain]"}])[-1]
    store.record_feedback(conversation, index, "up")
    out = tmp_path / "export" / "app.jsonl"
    result = CliRunner().invoke(app, ["export-conversations", str(out)])
    assert result.exit_code == 0 and "Exported 1 conversation(s)" in result.output
    dialogues, dropped = load_app_export(out)
    assert [d.messages[-1]["content"] for d in dialogues] == ["Yes. [shipping#spain]"] and not dropped


def test_serve_refuses_an_impossible_port(data_dir: Path) -> None:
    result = CliRunner().invoke(app, ["serve", "--port", "70000"])
    assert result.exit_code == 2 and "between 1 and 65535" in result.output


def test_prepare_runs_only_the_steps_not_done(tmp_path: Path) -> None:
    ran: list[str] = []
    steps = (
        PrepareStep("done already", lambda s: True, lambda s: ran.append("done already") or "x"),
        PrepareStep("to do", lambda s: False, lambda s: ran.append("to do") or "built it"),
    )
    console = Console(record=True, width=100)
    outcomes = prepare(Settings(data_dir=tmp_path), console, steps)
    assert ran == ["to do"]
    assert outcomes == [("done already", "already done"), ("to do", "built it")]
    text = console.export_text()
    assert "[1/2] done already: already done" in text and "[2/2] to do..." in text and "built it" in text


def test_prepare_sees_what_a_fresh_machine_lacks_and_what_a_built_store_has(
    tmp_path: Path, demo_shop
) -> None:
    checks = {step.name: step.is_done for step in STEPS}
    fresh = Settings(data_dir=tmp_path / "fresh")
    assert not checks["Demo data (1M events)"](fresh)
    assert not checks["Recommender"](fresh)
    assert not checks["Knowledge base index"](fresh)  # incremental: always runs, embeds only what changed
    built = Settings(data_dir=tmp_path / "built", store_dir=demo_shop[0].root)
    assert checks["Demo data (1M events)"](built)
    assert checks["Shop profile"](built)  # the demo generator stores its profile
    served = Settings(data_dir=tmp_path / "remote", openai_base_url="http://127.0.0.1:9/v1")
    assert checks["Local model"](served)  # answers come from a server: nothing to prepare


def test_a_demo_shop_built_before_profiles_gets_the_demos_profile(tmp_path: Path, demo_shop) -> None:
    import shutil

    from tools.events.profile import PROFILE_FILE
    from tools.events.store import EventStore

    root = tmp_path / "store"
    shutil.copytree(demo_shop[0].root, root, symlinks=True)
    (root / PROFILE_FILE).unlink()
    old = Settings(data_dir=tmp_path, store_dir=root)
    step = next(step for step in STEPS if step.name == "Shop profile")
    assert not step.is_done(old)
    assert "119 places, EUR" in step.run(old)
    assert step.is_done(old) and EventStore(root).profile() == demo_shop[0].profile()


def test_a_demo_shop_built_before_category_aliases_gets_them_and_keeps_its_edits(
    tmp_path: Path, demo_shop
) -> None:
    import shutil
    from dataclasses import replace

    from tools.events.profile import Place
    from tools.events.store import EventStore

    root = tmp_path / "store"
    shutil.copytree(demo_shop[0].root, root, symlinks=True)
    store = EventStore(root)
    salem = Place("city", "Salem", "US", "America/Los_Angeles")
    store.save_profile(replace(store.profile(), category_aliases={}, places=(*store.profile().places, salem)))
    old = Settings(data_dir=tmp_path, store_dir=root)
    step = next(step for step in STEPS if step.name == "Shop profile")
    assert not step.is_done(old)
    assert "category aliases" in step.run(old)
    upgraded = store.profile()
    assert step.is_done(old) and salem in upgraded.places  # the shop's own edit is kept
    assert upgraded.category_aliases == demo_shop[0].profile().category_aliases
    assert "Kopfhörer" in upgraded.category_aliases["Headphones"]


@pytest.mark.slow
def test_serve_starts_both_apps_locally_and_prints_their_urls(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "CHRONOTOPE_DATA_DIR": str(tmp_path / "state"), "CHRONOTOPE_PORT": str(port),
           "GRADIO_ANALYTICS_ENABLED": "False"}
    process = subprocess.Popen([sys.executable, "-c", "from chronotope.cli import main; main()", "serve"],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 90
        while not any("operator console" in line for line in lines):
            assert time.monotonic() < deadline and process.poll() is None, "".join(lines)
            lines.append(process.stdout.readline())
        import httpx

        for _ in range(100):
            try:
                page = httpx.get(f"http://127.0.0.1:{port}/customer/")
                break
            except httpx.ConnectError:
                time.sleep(0.2)
        assert page.status_code == 200
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
    output = "".join(lines)
    assert f"http://127.0.0.1:{port}/customer/" in output and f"http://127.0.0.1:{port}/operator/" in output
    assert (tmp_path / "state" / "secrets" / "customer-token.key").is_file()  # made on first start


def test_serve_prepare_offers_the_demo_sign_in_for_the_demo_shop_it_just_built(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a fresh machine `serve --prepare` builds the demo after the safety checks; the demo sign-in must see
    it (it was decided before, from a store that did not exist yet)."""
    import chronotope.prepare
    import ui.app
    from tools.events.simulate.shop import MANIFEST

    def build_demo(settings, console) -> None:  # what the demo step leaves behind, without 1M events
        settings.store_path.mkdir(parents=True, exist_ok=True)
        (settings.store_path / MANIFEST).write_text("{}", encoding="utf-8")

    served = []
    monkeypatch.setattr(chronotope.prepare, "prepare", build_demo)
    monkeypatch.setattr(ui.app, "serve", lambda services, options: served.append(options))
    result = CliRunner().invoke(app, ["serve", "--prepare"])
    assert result.exit_code == 0, result.output
    assert served[0].customer_tokens.accept_demo
