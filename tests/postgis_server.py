"""A throwaway PostgreSQL + PostGIS server for the tests and benches.

Debian's packages (``postgresql`` and ``postgresql-NN-postgis-3``, installed by ``make test``)
give the binaries; the server runs from a temporary folder on a free loopback port, trusts
local connections, and is stopped and deleted afterwards. As root it runs as the ``postgres``
user (PostgreSQL refuses to run as root). Each test gets a database of its own, copied from a
template that already holds the PostGIS extension (creating the extension takes a second).
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

TEMPLATE = "flankmap_template"
START_TIMEOUT_S = 60


def postgres_bin() -> Path | None:
    """Return the folder of the newest PostgreSQL server that has PostGIS, or None."""
    found = []
    for postgres in Path("/usr/lib/postgresql").glob("*/bin/postgres"):
        major = postgres.parent.parent.name
        if Path(f"/usr/share/postgresql/{major}/extension/postgis.control").exists() and major.isdigit():
            found.append((int(major), postgres.parent))
    return max(found)[1] if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class TemporaryPostgis:
    """A PostGIS server of its own: ``start()``, ``new_database()`` for each test, ``stop()``."""

    def __init__(self, durable: bool = False) -> None:
        self.bin = postgres_bin()
        if self.bin is None:
            raise RuntimeError("no PostgreSQL server with PostGIS (Debian: postgresql, postgresql-15-postgis-3)")
        self.durable = durable  # fsync as a production server does (the benches), or not (the tests)
        self.port = _free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="flankmap-pg-"))
        self.process: subprocess.Popen[bytes] | None = None
        self.count = 0
        self.user = "postgres" if os.geteuid() == 0 else None

    def _run(self, *args: str) -> None:
        subprocess.run(args, check=True, capture_output=True, user=self.user, cwd=self.folder)

    def start(self) -> TemporaryPostgis:
        """Initialise and start the server, and build the template database; return self."""
        data = self.folder / "data"
        if self.user:
            entry = pwd.getpwnam(self.user)
            os.chown(self.folder, entry.pw_uid, entry.pw_gid)
        self._run(str(self.bin / "initdb"), "-D", str(data), "-U", "flankmap", "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8")
        options = ["-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={self.folder}",
                   "-c", "max_connections=100", "-c", "shared_buffers=128MB"]
        if not self.durable:
            options += ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
        with (self.folder / "server.log").open("wb") as log:  # the server keeps its own copy of the handle
            self.process = subprocess.Popen([str(self.bin / "postgres"), "-D", str(data), "-p", str(self.port),
                                             *options], user=self.user, cwd=self.folder, stdout=subprocess.DEVNULL,
                                            stderr=log)
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                with psycopg.connect(self.url("postgres"), autocommit=True, connect_timeout=2) as conn:
                    conn.execute(f"CREATE DATABASE {TEMPLATE}")
                break
            except psycopg.OperationalError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"PostgreSQL did not start: {self.log()[-500:]}") from None
                time.sleep(0.2)
        with psycopg.connect(self.url(TEMPLATE), autocommit=True) as conn:
            conn.execute("CREATE EXTENSION postgis")
        return self

    def url(self, database: str) -> str:
        """Return the URL of ``database`` on this server."""
        return f"postgresql://flankmap@127.0.0.1:{self.port}/{database}"

    def new_database(self, name: str = "") -> str:
        """Create an empty database with PostGIS; return its URL."""
        self.count += 1
        database = re.sub(r"[^a-z0-9_]", "_", f"t{self.count}_{name}".lower())[:60]
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {database} TEMPLATE {TEMPLATE}")
        return self.url(database)

    def log(self) -> str:
        """Return what the server wrote to its log."""
        try:
            return (self.folder / "server.log").read_text(errors="replace")
        except OSError:
            return ""

    def stop(self) -> None:
        """Stop the server (fast shutdown) and delete its folder."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> TemporaryPostgis:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
