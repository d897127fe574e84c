"""A local HTTP mirror for the download tests: serves a folder on 127.0.0.1, never the internet."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import http.server
import socket
import threading
from collections.abc import Iterator
from pathlib import Path


class _Handler(http.server.SimpleHTTPRequestHandler):
    requests: list[str]
    truncate: set[str]  # file names sent only half, under a Content-Length for the whole

    def log_message(self, format, *args):  # keep test output clean
        pass

    def do_GET(self):
        self.requests.append(self.path)
        name = self.path.rsplit("/", 1)[-1]
        if name not in self.truncate:
            return super().do_GET()
        data = (Path(self.directory) / name).read_bytes()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data[: len(data) // 2])
        self.wfile.flush()
        self.close_connection = True


@contextlib.contextmanager
def serve(folder: Path, truncate: set[str] | None = None) -> Iterator[tuple[str, list[str]]]:
    """Serve folder over HTTP; yield (base url, log of requested paths)."""
    requests: list[str] = []
    attrs = {"requests": requests, "truncate": truncate or set()}
    handler = functools.partial(type("Handler", (_Handler,), attrs), directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", requests
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def dead_url() -> str:
    """A base URL on a local port that nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
