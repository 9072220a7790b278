"""Show a batch's progress on stderr: a rich bar with rate and ETA, or plain lines off a TTY."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from legal_orch.batch.driver import BatchProgress


def _eta(seconds: float | None) -> str:
    if seconds is None:
        return "--:--"
    m, s = divmod(int(seconds), 60)
    h, m = divmod(m, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


def describe(p: BatchProgress) -> str:
    """Return one line: counts, rate and ETA."""
    return (
        f"{p.done}/{p.total} done, {p.failed} failed · {p.rate_per_min:.1f}/min · "
        f"ETA {_eta(p.eta_seconds)}"
    )


@contextmanager
def progress_bar(quiet: bool = False) -> Iterator[Callable[[BatchProgress], None]]:
    """Yield an `on_progress` callback that draws the batch's progress on stderr."""
    if quiet:
        yield lambda p: None
        return
    if not sys.stderr.isatty():
        # Logs and CI: one line per file, no cursor tricks.
        yield lambda p: print(
            f"batch: {describe(p)}" + (f" · {p.current}" if p.current else ""),
            file=sys.stderr,
            flush=True,
        )
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn("reviewing"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[info]}"),
        console=Console(stderr=True),
        transient=False,
    ) as bar:
        task = bar.add_task("batch", total=None, info="")

        def show(p: BatchProgress) -> None:
            info = f"{p.failed} failed · {p.rate_per_min:.1f}/min · ETA {_eta(p.eta_seconds)}"
            bar.update(task, total=p.total, completed=p.done, info=info)

        yield show
