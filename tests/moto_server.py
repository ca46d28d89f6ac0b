"""One way for a test module to start moto's HTTP server (the real AWS API surface moto
serves, on a free loopback port) and to stop it again."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager

CREDENTIALS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")


@contextmanager
def moto_server(reset: Callable[[str], None], force_credentials: bool = False) -> Iterator[str]:
    """moto's server for the block: its URL; `reset` (the `moto_reset` fixture) empties
    what an earlier module left in moto's process-wide backends first. Fake credentials
    are set where none are; `force_credentials`: set for the block whatever is set, and
    put back after."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").disabled = True
    saved = {k: os.environ.get(k) for k in CREDENTIALS}
    for k in CREDENTIALS:
        if force_credentials:
            os.environ[k] = "testing"
        else:
            os.environ.setdefault(k, "testing")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    reset(url)
    try:
        yield url
    finally:
        server.stop()
        if force_credentials:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
