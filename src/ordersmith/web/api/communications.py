"""The communications log: every message sent (or to be sent) to customers."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from ordersmith.auth.permissions import Permission
from ordersmith.auth.services import Principal
from ordersmith.notifications import queries
from ordersmith.notifications.status import MessageStatus
from ordersmith.web.deps import DbDep, require
from ordersmith.web.pagination import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    decode_time_cursor,
    encode_time_cursor,
)
from ordersmith.web.schemas.common import Page
from ordersmith.web.schemas.communications import CommunicationDetailOut, CommunicationOut

router = APIRouter(tags=["communications"])
CanRead = Annotated[Principal, Depends(require(Permission.CUSTOMERS_READ))]


@router.get("/communications", response_model=Page[CommunicationOut])
def list_communications(
    db: DbDep,
    _principal: CanRead,
    customer_id: uuid.UUID | None = None,
    order_id: uuid.UUID | None = None,
    status: MessageStatus | None = None,
    supplier_id: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
) -> Page[CommunicationOut]:
    """Messages to customers, newest first: order received, dispatched (with tracking),
    delivered, backorder delays — with their delivery status and last error; and
    purchase orders sent to suppliers (`supplier_id`)."""
    with db.reader() as session:
        items, more = queries.list_communications(
            session,
            customer_id=customer_id,
            order_id=order_id,
            status=status,
            supplier_id=supplier_id,
            after=decode_time_cursor(cursor) if cursor else None,
            limit=limit,
        )
    next_cursor = encode_time_cursor(items[-1].created_at, items[-1].id) if more else None
    return Page(items=[CommunicationOut.model_validate(v) for v in items], next_cursor=next_cursor)


@router.get("/communications/{message_id}", response_model=CommunicationDetailOut)
def get_communication(
    message_id: uuid.UUID, db: DbDep, _principal: CanRead
) -> CommunicationDetailOut:
    """One message with its text and HTML bodies, as it was sent."""
    with db.reader() as session:
        return CommunicationDetailOut.of(queries.get_communication(session, message_id))
