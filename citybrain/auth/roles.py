"""The roles a caller can hold, as named in tokens and in the policy file."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["ROLE_DESCRIPTIONS", "Role", "UnknownRole", "parse_role"]


class Role(StrEnum):
    """A caller's role, as named in tokens (the ``roles`` claim) and in the policy file.

    Roles grant nothing by themselves: what each may see is the policy's business. In
    particular an admin is not an auditor and reads no personal data by default
    (separation of duties).
    """

    ANONYMOUS = "anonymous"
    CITIZEN = "citizen"
    GRID_WORKER = "grid_worker"
    STREET_OFFICER = "street_officer"
    DISTRICT_OFFICER = "district_officer"
    HEALTH_OFFICER = "health_officer"
    CIVIL_AFFAIRS_OFFICER = "civil_affairs_officer"
    TRANSPORT_OFFICER = "transport_officer"
    ANALYST = "analyst"
    AUDITOR = "auditor"
    ADMIN = "admin"
    VERIFIER = "verifier"


ROLE_DESCRIPTIONS: dict[Role, str] = {
    Role.ANONYMOUS: "No token: public data only (匿名)",
    Role.CITIZEN: "A resident reading their own records (市民)",
    Role.GRID_WORKER: "Grid worker, bound to their grid (网格员)",
    Role.STREET_OFFICER: "Street office staff, bound to their street (街道干部)",
    Role.DISTRICT_OFFICER: "District staff, bound to their district (区级干部)",
    Role.HEALTH_OFFICER: "Health commission staff (卫健工作人员)",
    Role.CIVIL_AFFAIRS_OFFICER: "Civil affairs staff (民政工作人员)",
    Role.TRANSPORT_OFFICER: "Transport staff, ride-hailing oversight (交通工作人员)",
    Role.ANALYST: "Analyst: statistics and public data (数据分析员)",
    Role.AUDITOR: "Auditor: the audit trail only (审计员)",
    Role.ADMIN: "Platform administrator, no personal data (系统管理员)",
    Role.VERIFIER: "Screening for exams and mass events (数据核验)",
}
"""One line per role: what it is, in English with the Chinese term."""


class UnknownRole(ValueError):
    """A role name that is not one of :class:`Role`; the message lists the known ones."""


def parse_role(name: str) -> Role:
    """The :class:`Role` named ``name``, e.g. ``"grid_worker"``.

    Raises:
        UnknownRole: ``name`` is not a role; the message lists the roles.
    """
    try:
        return Role(name)
    except ValueError:
        shown = name if len(name) <= 40 else name[:40] + "…"
        raise UnknownRole(
            f"unknown role {shown!r}: the roles are {', '.join(r.value for r in Role)}"
        ) from None
