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
from pathlib import Path
from typing import Any
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


#: every service the retail stack uses (the after: chains add an EventBridge rule, a Lambda)
SERVICES = ("cloudwatch", "dynamodb", "events", "glue", "iam", "lambda", "logs", "s3", "sts")


@contextmanager
def retail_on_moto(
    tmp_path: Path, moto_url: str, losses: Losses, monkeypatch: Any, plugin_dir: Path
) -> Iterator[Path]:
    """A copy of examples/retail whose `dev` environment is moto (alur.yaml `endpoints:`),
    DynamoDB through a lossy proxy; fake credentials, the provider mirror, no TF_LOG*."""
    import shutil

    import yaml

    root = tmp_path / "retail"
    examples = Path(__file__).resolve().parents[1] / "examples" / "retail"
    shutil.copytree(examples, root, ignore=shutil.ignore_patterns("build", ".alur"))
    with lossy_proxy(moto_url, losses) as proxy:
        cfg = yaml.safe_load((root / "alur.yaml").read_text())
        dev = cfg["environments"]["dev"]
        dev["account"] = "123456789012"  # moto's account
        dev["endpoints"] = {s: proxy if s == "dynamodb" else moto_url for s in SERVICES}
        (root / "alur.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))
        for name in ("TF_LOG", "TF_LOG_CORE", "TF_LOG_PATH"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        monkeypatch.setenv("ALURC_TF_PLUGIN_DIR", str(plugin_dir))
        yield root
