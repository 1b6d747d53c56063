"""Who is asking: the principal of a request, from its bearer token (or anonymous)."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field

from citybrain.auth.roles import Role
from citybrain.id_numbers import is_valid_id_number
from citybrain.regions import code_level

__all__ = ["ANONYMOUS", "InvalidJurisdiction", "Principal", "check_jurisdiction"]


class InvalidJurisdiction(ValueError):
    """A jurisdiction that does not fit the roles; the message never quotes the value."""


def check_jurisdiction(roles: frozenset[Role], jurisdiction: str | None) -> None:
    """Check that ``jurisdiction`` is what ``roles`` call for.

    A citizen acts alone, with their own 18-character ID number as jurisdiction; any other
    jurisdiction is a region code prefix: district (6 digits), street (9), community (12)
    or grid (15).

    Raises:
        InvalidJurisdiction: it is not; the message says what is expected.
    """
    if Role.CITIZEN in roles:
        if len(roles) != 1:
            raise InvalidJurisdiction("a citizen token holds the citizen role alone")
        if jurisdiction is None or not is_valid_id_number(jurisdiction):
            raise InvalidJurisdiction(
                "a citizen's jurisdiction is their own valid 18-character ID number"
            )
        return
    if jurisdiction is not None and code_level(jurisdiction) is None:
        raise InvalidJurisdiction(
            "jurisdiction must be a region code: district (6 digits), street (9), "
            "community (12) or grid (15)"
        )


@dataclass(frozen=True, slots=True, repr=False)
class Principal:
    """The caller of one request.

    Building one grants nothing beyond what is given: roles are never added or implied
    (an admin is not an auditor).

    Args:
        subject: who (the token's ``sub``).
        roles: what they act as.
        department: the department they work for, if any.
        jurisdiction: a region code prefix (district, street, community or grid), or for
            a citizen their own ID number.
        purposes: purposes the token grants (e.g. ``epidemic-control``).
        purpose: the purpose this request declares (``X-Purpose``), one of ``purposes``.
        expires_at: when the token stops being valid (UNIX seconds; None: no token). A
            WebSocket connection outlives its handshake, so it is held to this.

    Example:
        >>> worker = Principal("w1", frozenset({Role.GRID_WORKER}), jurisdiction="120101001")
        >>> worker.jurisdiction_prefix, worker.own_id_number
        ('120101001', None)
    """

    subject: str
    roles: frozenset[Role]
    department: str | None = None
    jurisdiction: str | None = None
    purposes: frozenset[str] = field(default_factory=frozenset)
    purpose: str | None = None
    expires_at: float | None = field(default=None, compare=False)

    def has_role(self, role: Role) -> bool:
        """Whether the caller holds ``role``."""
        return role in self.roles

    @property
    def is_citizen(self) -> bool:
        """Whether the caller is a resident acting for themselves."""
        return Role.CITIZEN in self.roles

    @property
    def own_id_number(self) -> str | None:
        """A citizen's own ID number (their jurisdiction), else None."""
        return self.jurisdiction if self.is_citizen else None

    @property
    def jurisdiction_prefix(self) -> str | None:
        """The region code prefix the caller is bound to (None: none, or a citizen)."""
        return None if self.is_citizen else self.jurisdiction

    def expired(self, now: float | None = None) -> bool:
        """Whether the token this principal came from is no longer valid."""
        if self.expires_at is None:
            return False
        return (time.time() if now is None else now) >= self.expires_at

    def with_purpose(self, purpose: str | None) -> Principal:
        """This principal declaring ``purpose`` for one request (checked by the caller)."""
        return dataclasses.replace(self, purpose=purpose)

    def __repr__(self) -> str:
        # A citizen's jurisdiction is an ID number: keep it out of logs and tracebacks.
        where = "<own ID number>" if self.is_citizen and self.jurisdiction else self.jurisdiction
        return (
            f"Principal(subject={self.subject!r}, roles={sorted(r.value for r in self.roles)!r}, "
            f"department={self.department!r}, jurisdiction={where!r}, "
            f"purposes={sorted(self.purposes)!r}, purpose={self.purpose!r})"
        )


ANONYMOUS = Principal(subject="anonymous", roles=frozenset({Role.ANONYMOUS}))
"""The caller of a request without an ``Authorization`` header: public data only."""
