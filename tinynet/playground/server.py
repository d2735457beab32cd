"""The playground's local server: one page, and a JSON API over tinynet's real classes.

It listens on 127.0.0.1 only and answers only requests addressed to it by that name (no
other machine, and no web page posing under another host name, can drive it). Bad input
gets a 4xx and a one-line message the page shows; sizes and sessions are bounded.
"""

from __future__ import annotations

import json
import math
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .. import optimizers
from .session import Session

STATIC = Path(__file__).parent / "static"
FILES = {"/": ("index.html", "text/html"), "/style.css": ("style.css", "text/css"),
         **{f"/{name}": (name, "text/javascript")
            for name in ("app.js", "draw.js", "network.js", "look.js")}}
MAX_BODY, MAX_SESSIONS = 64 * 1024, 8


class Playground(ThreadingHTTPServer):
    """The server, with its sessions (oldest dropped beyond MAX_SESSIONS)."""

    daemon_threads = True

    def __init__(self, port: int = 8000):
        super().__init__(("127.0.0.1", port), Handler)
        self.sessions: dict[str, Session] = {}
        self.lock = threading.Lock()
        self.counter = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"

    def add(self, session: Session) -> str:
        with self.lock:
            self.counter += 1
            key = str(self.counter)
            self.sessions[key] = session
            while len(self.sessions) > MAX_SESSIONS:
                self.sessions.pop(next(iter(self.sessions)))
            return key


class Handler(BaseHTTPRequestHandler):
    server: Playground

    def log_message(self, format, *args) -> None:  # quiet: the terminal is the user's
        pass

    def _send(self, status: int, body: bytes, kind: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, data) -> None:
        try:
            body = json.dumps(data, allow_nan=False)
        except ValueError:  # a diverged run's NaN or inf: JSON has no such numbers
            body = json.dumps(_finite(data))
        self._send(status, body.encode())

    def _error(self, status: int, message: str) -> None:
        self._json(status, {"error": message})

    def _local(self) -> bool:
        host = self.headers.get("Host", "").rsplit(":", 1)[0]
        if host not in ("127.0.0.1", "localhost"):
            self._error(HTTPStatus.FORBIDDEN,
                        f"the playground answers 127.0.0.1 only, not {host!r}")
            return False
        return True

    def _body(self) -> dict | None:
        length = self.headers.get("Content-Length", "0")
        if not length.isdigit() or int(length) > MAX_BODY:
            self._error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"a request body is at most "
                        f"{MAX_BODY} bytes")
            return None
        try:
            data = json.loads(self.rfile.read(int(length)) or b"{}")
        except (ValueError, RecursionError):
            self._error(HTTPStatus.BAD_REQUEST, "the request body is not valid JSON")
            return None
        if not isinstance(data, dict):
            self._error(HTTPStatus.BAD_REQUEST, "the request body must be a JSON object")
            return None
        return data

    def _session(self, key: str) -> Session | None:
        session = self.server.sessions.get(key)
        if session is None:
            self._error(HTTPStatus.NOT_FOUND, f"no session {key!r} (start one with POST "
                        f"/api/sessions)")
        return session

    def do_GET(self) -> None:
        if not self._local():
            return
        if self.path == "/favicon.ico":  # no icon, and no 404 in the browser's console
            return self._send(HTTPStatus.NO_CONTENT, b"", "image/x-icon")
        if self.path in FILES:
            name, kind = FILES[self.path]
            return self._send(HTTPStatus.OK, (STATIC / name).read_bytes(), kind)
        if self.path == "/api/optimizers":
            return self._json(HTTPStatus.OK, {
                name: optimizers.lookup(name)().hyperparams() for name in optimizers.available()})
        parts = self.path.strip("/").split("/")
        if len(parts) == 4 and parts[:2] == ["api", "sessions"] and parts[3] in ("state", "look"):
            session = self._session(parts[2])
            if session is not None:
                try:
                    with self.server.lock:
                        data = session.state() if parts[3] == "state" else session.look()
                except Exception as err:  # a message on the page, never "Failed to fetch"
                    return self._error(HTTPStatus.INTERNAL_SERVER_ERROR,
                                       f"{parts[3]} failed: {type(err).__name__}: {err}")
                self._json(HTTPStatus.OK, data)
            return
        self._error(HTTPStatus.NOT_FOUND, f"nothing at {self.path}")

    def do_POST(self) -> None:
        if not self._local():
            return
        body = self._body()
        if body is None:
            return
        parts = self.path.strip("/").split("/")
        try:
            if parts == ["api", "sessions"]:
                session = Session(body)
                key = self.server.add(session)
                with self.server.lock:
                    return self._json(HTTPStatus.CREATED, {"id": key, **session.state(True)})
            if len(parts) == 4 and parts[:2] == ["api", "sessions"] and parts[3] == "step":
                session = self._session(parts[2])
                if session is not None:
                    with self.server.lock:
                        session.step(body.get("n", 1))
                        self._json(HTTPStatus.OK, session.state(bool(body.get("network"))))
                return
        except (ValueError, TypeError) as err:
            return self._error(HTTPStatus.BAD_REQUEST, " ".join(str(err).split()))
        except MemoryError:
            return self._error(HTTPStatus.BAD_REQUEST, "not enough memory for these settings")
        self._error(HTTPStatus.NOT_FOUND, f"nothing at {self.path}")


def _finite(data):
    """``data`` with every NaN and infinity replaced by None (null on the page)."""
    if isinstance(data, dict):
        return {k: _finite(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_finite(v) for v in data]
    if isinstance(data, float) and not math.isfinite(data):
        return None
    return data
