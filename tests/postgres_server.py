"""A real PostgreSQL server for tests: Debian's `postgresql` binaries, a throw-away cluster on a free port.

As root (CI containers) the cluster runs as the `postgres` user, which initdb requires; otherwise as the
current user. Nothing is mocked: the tests talk to the server over TCP on 127.0.0.1.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PASSWORD = "pg-test-secret"  # TCP connections authenticate with it (scram-sha-256), as a real server would
INSTALL_HINT = "Install Debian's PostgreSQL server: apt-get install -y postgresql (make test does it)."


@dataclass(frozen=True)
class PostgresServer:
    """A running test server: connect with `url` (user `chronotope` with `PASSWORD`, database `shop`);
    `url_without_password` needs the password given apart."""

    port: int

    @property
    def url(self) -> str:
        return f"postgresql://chronotope:{PASSWORD}@127.0.0.1:{self.port}/shop"

    @property
    def url_without_password(self) -> str:
        return f"postgresql://chronotope@127.0.0.1:{self.port}/shop"


def _bin_dir() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not found:
        raise RuntimeError(f"PostgreSQL's initdb was not found under /usr/lib/postgresql. {INSTALL_HINT}")
    return found[-1].parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run(args: list[str], as_postgres: bool) -> None:
    command = ["runuser", "-u", "postgres", "--", *args] if as_postgres else args
    env = {**os.environ, "PGPASSWORD": PASSWORD}
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    if done.returncode:
        raise RuntimeError(f"{' '.join(args[:2])} failed: {done.stderr.strip() or done.stdout.strip()}")


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    """Start a fresh cluster, create the `shop` database, yield the server, stop and delete it."""
    bin_dir = _bin_dir()
    as_postgres = os.geteuid() == 0
    root = Path(tempfile.mkdtemp(prefix="chronotope-pg-"))
    if as_postgres:
        shutil.chown(root, "postgres", "postgres")
    data, port = root / "data", _free_port()
    secret = root / "password"
    secret.write_text(PASSWORD)
    if as_postgres:
        shutil.chown(secret, "postgres", "postgres")
    try:
        _run([str(bin_dir / "initdb"), "-D", str(data), "-U", "chronotope", "--auth-local=trust",
              "--auth-host=scram-sha-256", f"--pwfile={secret}", "-E", "UTF8", "--no-sync"], as_postgres)
        options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
        _run([str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(root / "log"), "-w",
              "start"], as_postgres)
        try:
            _run([str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "chronotope", "shop"],
                 as_postgres)
            yield PostgresServer(port)
        finally:
            _run([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], as_postgres)
    finally:
        shutil.rmtree(root, ignore_errors=True)
