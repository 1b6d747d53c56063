"""Tianjin's districts (GB/T 2260 area codes) and the hierarchical codes below them."""

from __future__ import annotations

__all__ = ["TIANJIN_DISTRICTS", "code_level"]

# The 16 districts of Tianjin with their area codes.
TIANJIN_DISTRICTS: tuple[tuple[str, str], ...] = (
    ("120101", "和平区"),
    ("120102", "河东区"),
    ("120103", "河西区"),
    ("120104", "南开区"),
    ("120105", "河北区"),
    ("120106", "红桥区"),
    ("120110", "东丽区"),
    ("120111", "西青区"),
    ("120112", "津南区"),
    ("120113", "北辰区"),
    ("120114", "武清区"),
    ("120115", "宝坻区"),
    ("120116", "滨海新区"),
    ("120117", "宁河区"),
    ("120118", "静海区"),
    ("120119", "蓟州区"),
)

# A district code has 6 digits; each level below adds 3: street 9, community 12, grid 15.
_LEVELS = {6: "district", 9: "street", 12: "community", 15: "grid"}


def code_level(code: str) -> str | None:
    """Name the hierarchy level of a region code (``district`` ... ``grid``), or None."""
    if not code.isascii() or not code.isdigit():
        return None
    return _LEVELS.get(len(code))
