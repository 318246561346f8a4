"""The one command-line entry point, ``credit-scoring``: thin wrappers over library functions."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from credit_scoring.errors import CreditScoringError
from credit_scoring.progress import ProgressHook

__all__ = ["app"]

app = typer.Typer(
    help="Credit scoring for Prêt à dépenser: data, features, model, API and dashboard.", no_args_is_help=True
)
data_app = typer.Typer(help="Get, validate and generate the Home Credit tables.", no_args_is_help=True)
app.add_typer(data_app, name="data")

_console = Console(stderr=True)


@app.callback()
def _main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show debug logs.")] = False,
) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(message)s",
        handlers=[RichHandler(console=_console, show_path=False, rich_tracebacks=False)],
    )


@contextmanager
def _progress() -> Iterator[ProgressHook]:
    """A rich progress display, one bar per step name, fed by the library's progress hook."""
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=_console,
        transient=False,
    ) as progress:
        tasks: dict[str, TaskID] = {}

        def hook(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = progress.add_task(step, total=total)
            progress.update(tasks[step], completed=done, total=total)

        yield hook


_T = TypeVar("_T")


def _run(fn: Callable[[], _T]) -> _T:
    """Run a command body: a user-facing error becomes one red line and exit code 1, never a traceback."""
    try:
        return fn()
    except CreditScoringError as exc:
        _console.print(f"[red]error:[/red] {exc}", soft_wrap=True, highlight=False)
        raise typer.Exit(code=1) from None
    except KeyboardInterrupt:
        _console.print("interrupted")
        raise typer.Exit(code=130) from None


def main() -> None:  # pragma: no cover - console script alias
    sys.exit(app())
