"""Progress bars: one per phase when enabled, nothing at all otherwise."""

from __future__ import annotations

from typing import TYPE_CHECKING

from citybrain.seed.progress import PhaseProgress

if TYPE_CHECKING:
    import pytest


def test_enabled_bars_advance(capsys: pytest.CaptureFixture[str]) -> None:
    with PhaseProgress(enabled=True) as bars:
        advance = bars.phase("民政 civil affairs", 4)
        advance(2)
        advance(2)
    assert "民政 civil affairs" in capsys.readouterr().out


def test_disabled_bars_print_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    with PhaseProgress(enabled=False) as bars:
        bars.phase("卫健 health", 3)(3)
    assert capsys.readouterr().out == ""
