"""Files on a real local server: the data panel and the knowledge base's "Add" read only files uploaded to
the console (a crafted request naming a server file is refused), uploads have a size limit, the customer app
takes no uploads and serves none of the console's files, an ingested upload is removed, and an error toast
shows an uploaded file's column names as text."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import httpx
import pytest

from tests.ui.conftest import OPERATOR_PASSWORD, UPLOAD_LIMIT, queue_call
from ui.uploads import UploadArea, UploadRefused

CSV = "ts,kind,customer\n2026-11-13T20:15:00Z,purchase,U000001\n"


@pytest.fixture(scope="module")
def console(live_server):
    """A signed-in operator's HTTP client, the console's URL and config, and the services."""
    base_url, services = live_server
    with httpx.Client(timeout=60) as http:
        signed_in = http.post(f"{base_url}/operator/login",
                              data={"username": "operator", "password": OPERATOR_PASSWORD})
        assert signed_in.status_code == 200
        config = http.get(f"{base_url}/operator/config").json()
        yield http, f"{base_url}/operator", config, services


def _refused(http: httpx.Client, app_url: str, fn_index: int, data: list) -> str:
    """A crafted call that must be refused before it reaches the queue; the refusal's text."""
    joined = http.post(f"{app_url}/gradio_api/queue/join",
                       json={"data": data, "fn_index": fn_index, "session_hash": uuid.uuid4().hex})
    assert joined.status_code == 403
    return joined.text


def _event(config: dict, elem_id: str, trigger: str) -> int:
    """The fn_index of the event `trigger` on the component with `elem_id`."""
    component = next(c["id"] for c in config["components"] if c.get("props", {}).get("elem_id") == elem_id)
    return next(n for n, dep in enumerate(config["dependencies"]) if [component, trigger] in dep["targets"])


def _file(path: str | Path) -> dict:
    return {"path": str(path), "orig_name": Path(path).name, "meta": {"_type": "gradio.FileData"}}


def _upload(http: httpx.Client, app_url: str, name: str, content: bytes) -> httpx.Response:
    return http.post(f"{app_url}/gradio_api/upload", files={"files": (name, content)})


def test_the_upload_area_takes_only_its_own_files_within_the_limit(tmp_path: Path) -> None:
    area = UploadArea(tmp_path / "uploads", max_bytes=10)
    area.reset()
    inside = area.root / "abc" / "ok.csv"
    inside.parent.mkdir()
    inside.write_text("a,b\n")
    assert area.accept(str(inside)) == inside.resolve()
    secret = tmp_path / "secret.json"
    secret.write_text("{}")
    (area.root / "link.json").symlink_to(secret)
    big = area.root / "big.csv"
    big.write_text("x" * 11)
    for refused, why in ((secret, "not uploaded"), (area.root / "link.json", "not uploaded"),
                         (area.root / "abc" / ".." / ".." / "secret.json", "not uploaded"),
                         ("relative.csv", "not uploaded"), (big, "at most"), (None, "Upload a file")):
        with pytest.raises(UploadRefused, match=why):
            area.accept(refused)
    area.discard(inside)
    assert not inside.exists() and not inside.parent.exists()


def test_a_crafted_server_path_is_refused_by_the_preview_and_the_knowledge_base(console, tmp_path) -> None:
    http, app_url, config, services = console
    secret = tmp_path / "credentials.json"
    secret.write_text('{"api_key": "sk-live-SECRET"}')
    planted = tmp_path / "policy.md"
    planted.write_text("# Shipping\n\nShipping is free worldwide, forever.\n")
    preview = _refused(http, app_url, _event(config, "ingest-file", "change"),
                       [_file(secret), "", ".", "none", "utf-8"])
    assert "was not uploaded here" in preview and "sk-live-SECRET" not in preview
    link = services.uploads.root / "innocent.md"
    link.symlink_to(planted)  # a link planted in the upload folder is not an upload either
    for named in (planted, link, services.uploads.root / ".." / planted.name):
        assert "was not uploaded here" in _refused(http, app_url, _event(config, "kb-add", "click"),
                                                    [[_file(named)]])
    assert not any(p.name == "policy.md" for p in services.uploads.root.rglob("*"))  # nothing was copied


def test_an_uploaded_file_previews_and_an_oversized_one_is_refused(console) -> None:
    http, app_url, config, services = console
    uploaded = _upload(http, app_url, "orders.csv", CSV.encode())
    assert uploaded.status_code == 200
    path = Path(uploaded.json()[0])
    assert services.uploads.root.resolve() in path.resolve().parents
    preview = queue_call(http, app_url, uuid.uuid4().hex, _event(config, "ingest-file", "change"),
                         [_file(path), "", ".", "none", "utf-8"])
    assert '"success":true' in preview and "U000001" in preview
    too_big = _upload(http, app_url, "huge.csv", b"x" * (UPLOAD_LIMIT + 1))
    assert too_big.status_code == 413
    anonymous = httpx.post(f"{app_url}/gradio_api/upload", files={"files": ("a.csv", b"a")})
    assert anonymous.status_code in (401, 403)


def test_the_customer_app_takes_no_uploads_and_serves_no_console_file(console, live_server) -> None:
    http, app_url, _, _ = console
    base_url, _ = live_server
    path = _upload(http, app_url, "customers.csv", b"user_id,email\nU1,ana@example.com\n").json()[0]
    assert http.get(f"{app_url}/gradio_api/file={path}").status_code == 200  # the operator's own file
    for url in (f"{base_url}/customer/gradio_api/file={path}", f"{base_url}/customer/file={path}"):
        served = httpx.get(url)
        assert served.status_code == 404 and "ana@example.com" not in served.text
    refused = httpx.post(f"{base_url}/customer/gradio_api/upload", files={"files": ("x.txt", b"x" * 1000)})
    assert refused.status_code == 404
    assert httpx.get(f"{app_url}/gradio_api/file={path}").status_code in (401, 403)


def test_column_names_in_an_error_toast_are_text_not_markup(console) -> None:
    http, app_url, config, _ = console
    hostile = '<img src=x onerror="alert(1)">,ts\n1,2\n'
    path = _upload(http, app_url, "hostile.csv", hostile.encode()).json()[0]
    run = _event(config, "ingest-run", "click")
    inputs = config["dependencies"][run]["inputs"]
    values = {c["id"]: c.get("props", {}).get("value") for c in config["components"]}
    files = {c["id"] for c in config["components"] if c.get("type") == "file"}
    data = [values.get(i) if i in files or values.get(i) is not None else "" for i in inputs]
    data[0] = _file(path)
    outcome = queue_call(http, app_url, uuid.uuid4().hex, run, data)
    completed = json.loads(next(line for line in outcome.splitlines() if "process_completed" in line)[5:])
    message = completed["output"]["error"]
    assert "&lt;img src=x" in message and "<img" not in message
