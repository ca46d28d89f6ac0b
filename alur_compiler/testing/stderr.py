"""Capture what a job writes to stderr (the runtime's log lines) per thread.

Tests may run in several threads of one process; `contextlib.redirect_stderr` swaps the
process-wide `sys.stderr`, so two tests would capture each other's lines. While a capture
is active, `sys.stderr` is this dispatcher: a thread that captures writes into its own
buffer, every other thread to the real stderr.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any


class ThreadStderr:
    def __init__(self) -> None:
        self._local = threading.local()
        self._lock = threading.Lock()
        self._active = 0
        self._real: IO[str] | Any = sys.stderr

    def write(self, text: str) -> int:
        target = getattr(self._local, "buffer", None) or self._real
        return int(target.write(text))

    def flush(self) -> None:
        target = getattr(self._local, "buffer", None) or self._real
        target.flush()

    def isatty(self) -> bool:
        return False

    @contextmanager
    def capture(self, buffer: IO[str]) -> Iterator[None]:
        with self._lock:
            if self._active == 0:
                self._real = sys.stderr
                sys.stderr = self
            self._active += 1
        self._local.buffer = buffer
        try:
            yield
        finally:
            self._local.buffer = None
            with self._lock:
                self._active -= 1
                if self._active == 0:
                    sys.stderr = self._real


THREAD_STDERR = ThreadStderr()
