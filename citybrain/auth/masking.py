"""Masked forms of personal values: enough to recognise a record, not to identify a person."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["MASKERS", "mask_address", "mask_id_number", "mask_name", "mask_phone"]

# Chinese compound surnames (复姓) keep both characters: 欧阳娜娜 -> 欧阳**.
_COMPOUND_SURNAMES = frozenset(
    {
        "欧阳",
        "司马",
        "上官",
        "诸葛",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "长孙",
        "宇文",
        "司徒",
        "夏侯",
        "令狐",
    }
)


def mask_id_number(value: str) -> str:
    """``120101199003071235`` -> ``120101********1235`` (region and last four kept)."""
    if len(value) != 18:
        return "*" * len(value)
    return value[:6] + "*" * 8 + value[-4:]


def mask_phone(value: str) -> str:
    """``13812345678`` -> ``138****5678``."""
    if len(value) != 11:
        return "*" * len(value)
    return value[:3] + "****" + value[-4:]


def mask_name(value: str) -> str:
    """``张三`` -> ``张*``, ``欧阳娜娜`` -> ``欧阳**``: the surname stays."""
    keep = 2 if value[:2] in _COMPOUND_SURNAMES and len(value) > 2 else 1
    return value[:keep] + "*" * max(len(value) - keep, 1)


def mask_address(value: str) -> str:
    """Cut an address to its community: ``…社区`` (or 村); drop building, unit and room."""
    for marker in ("社区", "村"):
        cut = value.rfind(marker)
        if cut != -1:
            return value[: cut + len(marker)]
    return value[: max(len(value) // 2, 1)] + "…"


MASKERS: dict[str, Callable[[str], str]] = {
    "id_number": mask_id_number,
    "phone": mask_phone,
    "name": mask_name,
    "address": mask_address,
}
"""Masker by kind, as named in the field catalogue."""
