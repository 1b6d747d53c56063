"""The audit trail in the graph: ``auditRecords``, for auditors only (审计)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import strawberry

from citybrain.auth.access import forbidden
from citybrain.auth.audit import AuditFilter, AuditUnavailable
from citybrain.auth.roles import Role
from citybrain.connectors import InvalidCursor
from citybrain.errors import bad_user_input

if TYPE_CHECKING:
    from strawberry.types import Info

__all__ = ["AuditFieldDecision", "AuditRecordFilter", "AuditRecordPage", "AuditRecordType"]


@strawberry.type(name="AuditFieldDecision", description="One field and what the policy decided.")
class AuditFieldDecision:
    field: str = strawberry.field(description="Field name.")
    decision: str = strawberry.field(description="allow, mask or deny.")


@strawberry.type(
    name="AuditRecord",
    description="Who was served or denied which entity's personal fields (审计记录).",
)
class AuditRecordType:
    seq: int = strawberry.field(description="Position in the hash chain.")
    at: dt.datetime = strawberry.field(description="When (UTC).")
    subject: str = strawberry.field(description="Who asked (token subject).")
    roles: list[str] = strawberry.field(description="Their roles.")
    purpose: str | None = strawberry.field(description="The purpose they declared.")
    entity_type: str = strawberry.field(description="Type of the entity, e.g. Person.")
    entity_key: str = strawberry.field(description="Key of the entity, e.g. an ID number.")
    fields: list[AuditFieldDecision] = strawberry.field(description="Fields and decisions.")
    request_id: str = strawberry.field(description="Request id.")
    operation_hash: str = strawberry.field(description="SHA-256 of the query text.")
    client_address: str = strawberry.field(description="Client address.")
    hash: str = strawberry.field(description="Chain hash of the record.")


@strawberry.type(description="A page of audit records, newest first.")
class AuditRecordPage:
    records: list[AuditRecordType] = strawberry.field(description="The records.")
    has_next_page: bool = strawberry.field(description="Whether older records follow.")
    end_cursor: str | None = strawberry.field(description="Pass as `after` for the next page.")


@strawberry.input(description="Which audit records to list (all conditions must hold).")
class AuditRecordFilter:
    subject: str | None = strawberry.field(default=None, description="Token subject.")
    entity_type: str | None = strawberry.field(default=None, description="Entity type.")
    entity_key: str | None = strawberry.field(default=None, description="Entity key.")
    since: dt.datetime | None = strawberry.field(default=None, description="At or after.")
    until: dt.datetime | None = strawberry.field(default=None, description="Before.")


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.UTC)


async def audit_records(
    info: Info, filter: AuditRecordFilter | None, first: int, after: str | None
) -> AuditRecordPage:
    """The audit records an auditor asks for; anyone else gets FORBIDDEN."""
    context = info.context
    if context.access is None or Role.AUDITOR not in context.access.principal.roles:
        raise forbidden("Query.auditRecords")
    if not 1 <= first <= context.settings.max_page_size:
        raise bad_user_input(f"`first` must be between 1 and {context.settings.max_page_size}")
    where = AuditFilter(
        subject=filter.subject if filter else None,
        entity_type=filter.entity_type if filter else None,
        entity_key=filter.entity_key if filter else None,
        since=_aware(filter.since) if filter else None,
        until=_aware(filter.until) if filter else None,
    )
    try:
        page = await context.audit_store.query(where, first=first, after=after)
    except InvalidCursor:
        raise bad_user_input("`after` is not a cursor of this list", argument="after") from None
    except AuditUnavailable:
        raise bad_user_input("the audit store cannot be read now; try again later") from None
    return AuditRecordPage(
        records=[
            AuditRecordType(
                seq=e.seq,
                at=e.record.at,
                subject=e.record.subject,
                roles=list(e.record.roles),
                purpose=e.record.purpose,
                entity_type=e.record.entity_type,
                entity_key=e.record.entity_key,
                fields=[AuditFieldDecision(field=f, decision=d) for f, d in e.record.fields],
                request_id=e.record.request_id,
                operation_hash=e.record.operation_hash,
                client_address=e.record.client_address,
                hash=e.hash,
            )
            for e in page.entries
        ],
        has_next_page=page.has_next_page,
        end_cursor=page.end_cursor,
    )
