"""Shared pieces of the browser tests: a dashboard server on a free port and a guarded Chromium page.

The guard records every JavaScript dialog (alert, confirm, prompt, beforeunload) of the
page and all its frames, every request's scheme and host, and aborts requests that would
leave the machine, so a test can assert that hostile article text neither ran nor reached
out, without the test itself ever touching the network.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
STARTUP_S = 90
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-quic"]
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})
LOCAL_SCHEMES = frozenset({"data", "blob", "about"})

# Runs first in every document and frame: any dialog call is also logged with a marker, so a
# dialog is caught even if a frame's dialog were ever not reported to the page.
DIALOG_TRAP = """
(() => {
  for (const name of ["alert", "confirm", "prompt", "print"]) {
    const original = window[name];
    window[name] = function (...args) {
      console.error("XSS-DIALOG " + name + " " + String(args[0]));
      return original ? original.apply(this, args) : undefined;
    };
  }
})();
"""


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(url: str, proc: subprocess.Popen[bytes], timeout_s: float = STARTUP_S) -> None:
    """Return once ``url`` answers 200; raise if ``proc`` exits first or ``timeout_s`` passes."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        try:
            proc.wait(timeout=max(0.0, min(0.25, deadline - time.monotonic())))  # bounded poll, notices an exit
        except subprocess.TimeoutExpired:
            continue
    raise TimeoutError(f"streamlit not healthy after {timeout_s:.0f}s")


@contextmanager
def dashboard_server(db: Path, startup_s: float = STARTUP_S) -> Iterator[str]:
    """Run ``streamlit run dashboard.py`` on a free local port with FLANKMAP_DB=``db``; yield its base URL."""
    port = free_port()
    env = {**os.environ, "FLANKMAP_DB": str(db)}
    cmd = [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port),
           "--server.headless", "true", "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_healthy(f"http://127.0.0.1:{port}/_stcore/health", proc, startup_s)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@dataclass
class Guard:
    """What a guarded page did: dialogs opened, trapped dialog calls, requests by (scheme, host), errors."""

    dialogs: list[str] = field(default_factory=list)
    trapped: list[str] = field(default_factory=list)
    requests: set[tuple[str, str]] = field(default_factory=set)
    blocked: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def outside(self, allowed_file: Path | None = None) -> list[tuple[str, str]]:
        """Return the requests that went (or tried to go) anywhere but this machine or the page itself.

        ``file://`` requests are allowed only for ``allowed_file`` (the exported page).
        """
        out = []
        for scheme, where in sorted(self.requests):
            if scheme in LOCAL_SCHEMES or (scheme in ("http", "https", "ws", "wss") and where in LOCAL_HOSTS):
                continue
            if scheme == "file" and allowed_file is not None and where == allowed_file.resolve().as_posix():
                continue
            out.append((scheme, where))
        return out


def _where(url: str) -> tuple[str, str]:
    parsed = urlparse(url)
    scheme = parsed.scheme.lower() or url.split(":", 1)[0].lower()
    if scheme == "file":
        return scheme, parsed.path
    return scheme, (parsed.hostname or "")


@contextmanager
def guarded_page(pw: Any, *, viewport: tuple[int, int] = (1400, 1000)) -> Iterator[tuple[Any, Guard]]:
    """Yield a (page, Guard) in headless Debian Chromium that records dialogs and requests.

    Dialogs are recorded and dismissed; requests to any host but 127.0.0.1/localhost (and
    any file:// request) are recorded, and the non-local ones aborted, so nothing leaves
    the machine even when a payload tries.
    """
    guard = Guard()
    browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    try:
        context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
        context.add_init_script(DIALOG_TRAP)

        def route(r: Any) -> None:
            scheme, where = _where(r.request.url)
            if scheme in ("http", "https", "ws", "wss") and where not in LOCAL_HOSTS:
                guard.blocked.append(r.request.url)
                r.abort()
            else:
                r.continue_()

        context.route("**/*", route)
        page = context.new_page()

        def on_dialog(dialog: Any) -> None:
            guard.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        def on_console(message: Any) -> None:
            if message.text.startswith("XSS-DIALOG"):
                guard.trapped.append(message.text)

        page.on("dialog", on_dialog)
        page.on("console", on_console)
        page.on("request", lambda r: guard.requests.add(_where(r.url)))
        page.on("pageerror", lambda e: guard.page_errors.append(str(e)))
        yield page, guard
    finally:
        browser.close()
