"""A small Language Server Protocol client over stdio, in plain Python, for tests.

It speaks JSON-RPC with Content-Length framing, answers the server's own requests
(`workspace/configuration` with the given settings, capability registration, progress),
and collects `textDocument/publishDiagnostics` notifications per document URI.
"""

from __future__ import annotations

import json
import queue
import subprocess
import threading
import time
from pathlib import Path
from typing import IO, Any


def read_message(stream: IO[bytes]) -> dict[str, Any] | None:
    """Read one framed JSON-RPC message; None at end of stream."""
    length = None
    while True:
        line = stream.readline()
        if not line:
            return None
        line = line.strip()
        if not line:
            break
        name, _, value = line.decode("ascii").partition(":")
        if name.lower() == "content-length":
            length = int(value.strip())
    if length is None:
        raise ValueError("LSP message without Content-Length header")
    body = stream.read(length)
    message: dict[str, Any] = json.loads(body.decode("utf-8"))
    return message


def frame(message: dict[str, Any]) -> bytes:
    body = json.dumps(message).encode("utf-8")
    return f"Content-Length: {len(body)}\r\n\r\n".encode("ascii") + body


class LspClient:
    """Drive one language server process. Use as a context manager."""

    def __init__(self, command: list[str], root: Path, settings: dict[str, Any]) -> None:
        self.root = root
        self.settings = settings  # {"yaml": {...}, "http": {...}, ...} by section name
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self._next_id = 0
        self._lock = threading.Lock()
        self._responses: dict[int, queue.Queue[dict[str, Any]]] = {}
        self._diagnostics: dict[str, list[dict[str, Any]]] = {}
        self._diag_event = threading.Condition()
        self.configured = threading.Event()  # set once the server has pulled our settings
        self._reader = threading.Thread(target=self._read_loop, daemon=True)
        self._reader.start()

    # -- plumbing -----------------------------------------------------------------
    def _send(self, message: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        with self._lock:
            self.process.stdin.write(frame({"jsonrpc": "2.0", **message}))
            self.process.stdin.flush()

    def _read_loop(self) -> None:
        assert self.process.stdout is not None
        while True:
            message = read_message(self.process.stdout)
            if message is None:
                return
            if "id" in message and "method" in message:
                self._answer_server_request(message)
            elif "id" in message:
                box = self._responses.get(int(message["id"]))
                if box is not None:
                    box.put(message)
            elif message.get("method") == "textDocument/publishDiagnostics":
                params = message["params"]
                with self._diag_event:
                    self._diagnostics[params["uri"]] = params["diagnostics"]
                    self._diag_event.notify_all()

    def _answer_server_request(self, message: dict[str, Any]) -> None:
        result: Any = None
        if message["method"] == "workspace/configuration":
            items = message["params"]["items"]
            result = [self.settings.get(item.get("section", ""), None) for item in items]
        self._send({"id": message["id"], "result": result})
        if message["method"] == "workspace/configuration":
            self.configured.set()

    def request(self, method: str, params: dict[str, Any], timeout: float = 10.0) -> Any:
        with self._lock:
            self._next_id += 1
            request_id = self._next_id
        box: queue.Queue[dict[str, Any]] = queue.Queue()
        self._responses[request_id] = box
        self._send({"id": request_id, "method": method, "params": params})
        try:
            response = box.get(timeout=timeout)
        finally:
            del self._responses[request_id]
        if "error" in response:
            raise RuntimeError(f"{method} failed: {response['error']}")
        return response.get("result")

    def notify(self, method: str, params: dict[str, Any]) -> None:
        self._send({"method": method, "params": params})

    # -- protocol -----------------------------------------------------------------
    def initialize(self) -> dict[str, Any]:
        uri = self.root.as_uri()
        markup = {"documentationFormat": ["markdown", "plaintext"]}
        capabilities = {
            "workspace": {"configuration": True, "workspaceFolders": True},
            "textDocument": {
                "completion": {"completionItem": {"snippetSupport": True, **markup}},
                "hover": {"contentFormat": ["markdown", "plaintext"]},
                "publishDiagnostics": {"relatedInformation": True},
            },
        }
        result: dict[str, Any] = self.request(
            "initialize",
            {
                "processId": None,
                "rootUri": uri,
                "workspaceFolders": [{"uri": uri, "name": self.root.name}],
                "capabilities": capabilities,
            },
        )
        self.notify("initialized", {})
        self.notify("workspace/didChangeConfiguration", {"settings": self.settings})
        if not self.configured.wait(timeout=10.0):
            raise TimeoutError("the server never asked for its configuration")
        return result

    def open(self, path: Path, text: str | None = None) -> str:
        uri = path.as_uri()
        content = path.read_text(encoding="utf-8") if text is None else text
        with self._diag_event:
            self._diagnostics.pop(uri, None)
        self.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": content}},
        )
        return uri

    def completion(self, uri: str, line: int, character: int) -> list[dict[str, Any]]:
        params = {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}
        result = self.request("textDocument/completion", params)
        if isinstance(result, dict):
            return list(result.get("items", []))
        return list(result or [])

    def hover(self, uri: str, line: int, character: int) -> dict[str, Any] | None:
        params = {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}
        result: dict[str, Any] | None = self.request("textDocument/hover", params)
        return result

    def diagnostics(self, uri: str, timeout: float = 5.0) -> list[dict[str, Any]]:
        """Wait for the server's diagnostics of a document (after didOpen)."""
        deadline = time.monotonic() + timeout
        with self._diag_event:
            while uri not in self._diagnostics:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no diagnostics published for {uri}")
                self._diag_event.wait(left)
            return self._diagnostics[uri]

    def close(self) -> None:
        try:
            self.request("shutdown", {}, timeout=3.0)
            self.notify("exit", {})
            self.process.wait(timeout=3.0)
        except Exception:  # the server is gone or stuck: stop it
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> LspClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
