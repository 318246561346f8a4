"""A progress hook that library code calls and entry points render (rich in the CLI, nothing in tests)."""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["ProgressHook", "no_progress"]

#: ``hook(step, done, total)``: ``step`` names the work in plain words; ``done`` out of ``total`` units are finished.
ProgressHook = Callable[[str, int, int], None]


def no_progress(step: str, done: int, total: int) -> None:
    """The default hook: library code reports progress; without an entry point listening, nothing is shown."""
