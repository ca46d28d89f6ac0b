"""An HTTP proxy in front of moto's server that can lose replies: it forwards every
request, and for the next N requests whose `X-Amz-Target` ends with a given operation it
closes the connection instead of answering, after moto has carried the request out. That
is what a network blip does to a client: the request took effect, the reply never came."""

from __future__ import annotations

import http.client
import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

_HOP_BY_HOP = {"connection", "content-length", "keep-alive", "transfer-encoding"}


@dataclass
class Losses:
    """Which replies to lose (`operation`, `count` left) and which were lost."""

    operation: str = ""
    count: int = 0
    lost: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, target: str) -> bool:
        with self.lock:
            if self.count > 0 and self.operation and target.endswith(self.operation):
                self.count -= 1
                self.lost.append(target)
                return True
            return False


@contextmanager
def lossy_proxy(upstream: str, losses: Losses) -> Iterator[str]:
    """A proxy to `upstream` (moto's URL) on a free loopback port: its URL."""
    parts = urlsplit(upstream)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def _forward(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            conn = http.client.HTTPConnection(host, port, timeout=60)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
            conn.request(self.command, self.path, body=body, headers=headers)
            reply = conn.getresponse()
            data = reply.read()
            conn.close()
            if losses.take(self.headers.get("X-Amz-Target", "")):
                self.close_connection = True
                self.connection.close()  # carried out upstream, reply lost
                return
            self.send_response(reply.status)
            for key, value in reply.getheaders():
                if key.lower() not in _HOP_BY_HOP:
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = _forward

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
