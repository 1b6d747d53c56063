"""Sensitivity classes of fields (PIPL) and the decisions a policy takes on them."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Decision", "Sensitivity"]


class Sensitivity(StrEnum):
    """How sensitive a field is, after PIPL (个人信息保护法).

    ``PERSONAL`` is personal information (个人信息); ``SENSITIVE`` is sensitive personal
    information (敏感个人信息): health, ID numbers, whereabouts such as place scans.
    """

    PUBLIC = "public"
    INTERNAL = "internal"
    PERSONAL = "personal"
    SENSITIVE = "sensitive"

    @property
    def is_personal(self) -> bool:
        """Whether serving the field is audited and denied by default."""
        return self in (Sensitivity.PERSONAL, Sensitivity.SENSITIVE)


class Decision(StrEnum):
    """What a policy does with one field for one caller."""

    ALLOW = "allow"
    MASK = "mask"
    DENY = "deny"
