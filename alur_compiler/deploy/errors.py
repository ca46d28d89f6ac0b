"""The one error type of the deploy layer: a message and a hint, never a traceback."""

from __future__ import annotations


class DeployError(Exception):
    """A deploy step failed for a reason the user can act on."""

    def __init__(self, message: str, hint: str | None = None, usage: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.usage = usage  # a bad argument (an unknown environment): exit 2, not 1

    def render(self) -> str:
        text = f"error: {self.message}"
        return f"{text}\n  hint: {self.hint}" if self.hint else text
