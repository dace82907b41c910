"""The console's uploads: files reach the data panel and the knowledge base only through the console's
upload route, which writes them under one folder of the data dir (Gradio's copies of files go there too).
A request that names any other path (a server file, a link out of the folder) is refused by `FilePathGuard`
before Gradio copies it: Gradio's own check does not run for apps mounted with `mount_gradio_app`. The
folder is emptied at start and a file is removed once it has been used.

    area = UploadArea(data_dir / "uploads", max_bytes=2 * 2**30)
    path = area.accept(file)          # the uploaded file, or raises UploadRefused
    area.discard(path)                # done with it
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MIB = 2**20


class UploadRefused(ValueError):
    """A file the console will not read: not uploaded in this run, or too big; the message says which."""


@dataclass(frozen=True)
class UploadArea:
    """Where the console's uploads land and how big one may be."""

    root: Path
    max_bytes: int

    def reset(self) -> None:
        """Start empty (files of an earlier run are not uploads of this one)."""
        shutil.rmtree(self.root, ignore_errors=True)
        self.root.mkdir(parents=True, exist_ok=True)
        self.root.chmod(0o700)

    def accept(self, path: str | Path | None, max_bytes: int | None = None) -> Path:
        """The uploaded file `path` names; raises UploadRefused for anything else or a file over the limit."""
        if not path:
            raise UploadRefused("Upload a file first.")
        given = Path(path)
        resolved = given.resolve()
        root = self.root.resolve()
        if (root not in resolved.parents or given.is_symlink() or not resolved.is_file()
                or not given.is_absolute()):
            raise UploadRefused(f"{given.name} was not uploaded here: upload the file with the file box.")
        limit = self.max_bytes if max_bytes is None else max_bytes
        size = resolved.stat().st_size
        if size > limit:
            raise UploadRefused(f"{given.name} is {size / MIB:,.1f} MiB; files here may be at most "
                                f"{limit / MIB:,.1f} MiB.")
        return resolved

    def discard(self, path: str | Path) -> None:
        """Remove an accepted upload (and the folder Gradio made for it, once empty)."""
        file = self.accept(path, max_bytes=2**63)
        file.unlink(missing_ok=True)
        if file.parent != self.root.resolve() and not any(file.parent.iterdir()):
            file.parent.rmdir()


class FilePathGuard:
    """ASGI middleware: a request to an app's API (`prefix`, e.g. "/operator/gradio_api/") whose JSON names a
    file outside `area` is refused before Gradio reads or copies that file."""

    def __init__(self, app: Callable[..., Awaitable[None]], prefix: str, area: UploadArea):
        self.app = app
        self.prefix = prefix
        self.area = area

    async def __call__(self, scope: dict[str, Any], receive: Callable[[], Awaitable[dict[str, Any]]],
                       send: Callable[[dict[str, Any]], Awaitable[None]]) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        messages, body = [], b""
        while True:
            message = await receive()
            messages.append(message)
            body += message.get("body", b"")
            if message["type"] != "http.request" or not message.get("more_body"):
                break
        refused = self._outside(body)
        if refused is not None:
            text = f"{Path(refused).name} was not uploaded here: upload the file with the file box.".encode()
            await send({"type": "http.response.start", "status": 403,
                        "headers": [(b"content-type", b"text/plain; charset=utf-8")]})
            await send({"type": "http.response.body", "body": text})
            return
        pending = iter(messages)

        async def replay() -> dict[str, Any]:
            return next(pending, None) or await receive()

        await self.app(scope, replay, send)

    def _outside(self, body: bytes) -> str | None:
        """The first file path in a JSON body that is not an upload of this run, if any."""
        try:
            data = json.loads(body)
        except ValueError:
            return None  # not JSON (a multipart upload, a form): no file paths to name
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                path = item.get("path")
                if isinstance(path, str) and not self._inside(path):
                    return path
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)
        return None

    def _inside(self, path: str) -> bool:
        try:
            self.area.accept(path, max_bytes=2**63)
        except UploadRefused:
            return False
        return True
