"""Progress bars for the seeding phases (rich), or silence."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import TracebackType

__all__ = ["PhaseProgress"]


class PhaseProgress:
    """One progress bar per phase when ``enabled``; otherwise every call does nothing."""

    def __init__(self, *, enabled: bool) -> None:
        self._progress = (
            Progress(
                TextColumn("{task.description:<28}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
            )
            if enabled
            else None
        )

    def __enter__(self) -> PhaseProgress:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()

    def phase(self, description: str, total: int) -> Callable[[int], None]:
        """Start a bar of ``total`` units; the returned function advances it."""
        progress = self._progress
        if progress is None:
            return lambda _: None
        task = progress.add_task(description, total=total)

        def advance(units: int) -> None:
            progress.advance(task, units)

        return advance
