"""What a pick list prints: read from the database into ordersmith.documents' plain data."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from ordersmith.documents import PickLine, PickListDocument
from ordersmith.fulfillment.queries import pick_list_by_id


def pick_list_document(session: Session, pick_list_id: uuid.UUID) -> PickListDocument:
    """The printable pick list (what ``pick_list_by_id`` reads, without what was picked);
    raises NotFound (``pick_list_not_found``)."""
    pick_list = pick_list_by_id(session, pick_list_id)
    return PickListDocument(
        number=pick_list.number,
        warehouse_code=pick_list.warehouse,
        warehouse_name=pick_list.warehouse_name,
        created_at=pick_list.created_at,
        lines=tuple(
            PickLine(
                sequence=line.sequence,
                bin_location=line.bin_location,
                sku=line.sku,
                name=line.name,
                quantity=line.quantity,
                order_number=line.order_number,
                line_no=line.line_no,
            )
            for line in pick_list.lines
        ),
    )
