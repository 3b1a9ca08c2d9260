"""Inspecting a received return: what becomes of every unit that came back.

Per line, the dispositions add up to the units received (a line may be split: 2 back
to stock, 1 scrapped). In one unit of work, one ledger posting for the whole return
(``inventory.ledger.post``, set-based like purchasing's receipts), source ``rma`` / the
return's number:

- ``restock``: a ``return`` movement at the warehouse (default the return's: where the
  goods arrived), then ``StockReturned`` per (warehouse, product), whose in-transaction
  subscriber allocates waiting backorders oldest order first (``ordersmith.wiring``);
- ``refurbish``: refurbished at inspection, so the same as restock, the movement's
  reason saying "refurbish" (a grade of its own is a SKU or a warehouse of its own);
- ``scrap``: the goods did come back, so a ``return`` movement, and at once a
  ``damage`` adjustment writing them off at that warehouse: the ledger shows both, and
  nothing is ever available (no event serves backorders with units that are gone);
- ``return_to_supplier``: held for the supplier (default the product's preferred one),
  never on our hand: no movement, the disposition names the supplier.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from ordersmith import clock
from ordersmith.auth.permissions import Permission
from ordersmith.db import insert_rows, table_of
from ordersmith.errors import FieldError, ValidationFailed
from ordersmith.ids import new_id
from ordersmith.inventory import ledger
from ordersmith.inventory.events import StockReturned
from ordersmith.inventory.ledger import Entry
from ordersmith.inventory.models import MovementKind
from ordersmith.inventory.queries import get_warehouse, warehouse_codes
from ordersmith.purchasing.queries import get_supplier, supplier_products
from ordersmith.returns import inputs
from ordersmith.returns.events import ReturnInspected
from ordersmith.returns.inputs import DispositionInput
from ordersmith.returns.models import (
    AT_WAREHOUSE,
    RESTOCKING,
    SOURCE_TYPE,
    Disposition,
    ReturnDisposition,
)
from ordersmith.returns.queries import get_return
from ordersmith.returns.services import Locked, line_rows, lock_return, move, record_history
from ordersmith.returns.status import ReturnAction, check_transition
from ordersmith.returns.views import ReturnView
from ordersmith.uow import UnitOfWork
from ordersmith.validation import FieldChecks

Decided = tuple[Any, Disposition, int, uuid.UUID | None, uuid.UUID | None, str]
"""(return line row, disposition, units, warehouse id, supplier id, note)."""


def inspect_return(
    uow: UnitOfWork, *, return_id: uuid.UUID, dispositions: Sequence[DispositionInput]
) -> ReturnView:
    """Decide every received unit (see the module doc); refused whole otherwise."""
    uow.authorize(Permission.RETURNS_RECEIVE)
    checks = FieldChecks()
    inputs.check_dispositions(checks, dispositions)
    checks.raise_if_any("the inspection is not valid")
    locked = lock_return(uow, return_id)
    check_transition(locked.status, ReturnAction.INSPECT)
    decided = _decide(uow, locked, line_rows(uow, return_id), dispositions)
    now = clock.now()
    insert_rows(
        uow.session.connection(),
        table_of(ReturnDisposition),
        [
            {
                "id": new_id(),
                "return_id": return_id,
                "return_line_id": line["id"],
                "disposition": kind.value,
                "quantity": units,
                "warehouse_id": warehouse_id,
                "supplier_id": supplier_id,
                "note": text,
                "created_by": uow.actor,
                "created_at": now,
            }
            for line, kind, units, warehouse_id, supplier_id, text in decided
        ],
    )
    _post_stock(uow, locked, decided)
    move(uow, locked, ReturnAction.INSPECT, inspected_by=uow.actor, inspected_at=now)
    codes = warehouse_codes(uow.session, {d[3] for d in decided if d[3] is not None})
    supplier_codes = {d[4]: get_supplier(uow.session, d[4]).code for d in decided if d[4]}
    summary = [
        {
            "line_no": line["line_no"],
            "sku": line["sku"],
            "disposition": kind.value,
            "quantity": units,
            "warehouse": codes.get(warehouse_id) if warehouse_id else None,
            "supplier": supplier_codes.get(supplier_id) if supplier_id else None,
        }
        for line, kind, units, warehouse_id, supplier_id, _text in decided
    ]
    totals: dict[str, int] = defaultdict(int)
    for _line, kind, units, *_rest in decided:
        totals[kind.value] += units
    record_history(
        uow,
        locked,
        "return_inspected",
        ", ".join(f"{units} {kind}" for kind, units in sorted(totals.items())),
    )
    uow.record(ReturnInspected(**locked.event_head(), dispositions=summary))
    return get_return(uow.session, return_id)


def _decide(
    uow: UnitOfWork, locked: Locked, lines: list[Any], wanted: Sequence[DispositionInput]
) -> list[Decided]:
    """The dispositions with their units, warehouses and suppliers filled in; refuses
    unknown lines and lines whose dispositions do not add up to the units received."""
    by_no = {line["line_no"]: line for line in lines}
    count: dict[int, int] = defaultdict(int)
    for item in wanted:
        count[item.line_no] += 1
    problems: list[FieldError] = []
    decided: list[Decided] = []
    preferred = _preferred_suppliers(uow, [line["product_id"] for line in lines])
    for i, item in enumerate(wanted):
        field, line = f"dispositions.{i}", by_no.get(item.line_no)
        if line is None:
            problems.append(
                FieldError(f"{field}.line_no", f"{locked.row['number']} has no line {item.line_no}")
            )
            continue
        units = item.quantity
        if units is None:
            if count[item.line_no] > 1:
                problems.append(
                    FieldError(f"{field}.quantity", "give the units when a line is split")
                )
                continue
            units = int(line["received_quantity"])
        kind = Disposition(item.disposition)
        warehouse_id = supplier_id = None
        if kind in AT_WAREHOUSE:
            warehouse_id = (
                get_warehouse(uow.session, item.warehouse).id
                if item.warehouse
                else locked.row["warehouse_id"]
            )
        elif item.supplier:
            supplier_id = get_supplier(uow.session, item.supplier).id
        else:
            supplier_id = preferred.get(line["product_id"])
            if supplier_id is None:
                problems.append(
                    FieldError(
                        f"{field}.supplier", f"{line['sku']} has no preferred supplier: name one"
                    )
                )
                continue
        decided.append((line, kind, units, warehouse_id, supplier_id, item.note.strip()))
    problems = problems or _unbalanced(lines, decided)
    if problems:
        raise ValidationFailed("the inspection is not valid", fields=problems)
    return decided


def _unbalanced(lines: list[Any], decided: list[Decided]) -> list[FieldError]:
    """Per line: the units decided must be the units received."""
    given: dict[int, int] = defaultdict(int)
    for line, _kind, units, *_rest in decided:
        given[line["line_no"]] += units
    return [
        FieldError(
            f"lines.{line['line_no']}",
            f"line {line['line_no']} ({line['sku']}): {line['received_quantity']} received, "
            f"{given[line['line_no']]} decided",
        )
        for line in lines
        if given[line["line_no"]] != line["received_quantity"]
    ]


def _preferred_suppliers(
    uow: UnitOfWork, product_ids: list[uuid.UUID]
) -> dict[uuid.UUID, uuid.UUID]:
    return {
        sp.product_id: sp.supplier_id
        for sp in supplier_products(uow.session, product_ids=product_ids)
        if sp.preferred
    }


def _post_stock(uow: UnitOfWork, locked: Locked, decided: list[Decided]) -> None:
    number = locked.row["number"]
    entries: list[Entry] = []
    for line, kind, units, warehouse_id, _supplier, _text in decided:
        if kind not in AT_WAREHOUSE or warehouse_id is None:
            continue
        product, where = line["product_id"], f"{number} line {line['line_no']}"
        received = "received for scrap" if kind is Disposition.SCRAP else kind.value
        entries.append(
            Entry(
                warehouse_id,
                product,
                MovementKind.RETURN,
                on_hand_delta=units,
                reason=f"{where} {received}",
                source_type=SOURCE_TYPE,
                source_id=number,
            )
        )
        if kind is Disposition.SCRAP:
            entries.append(
                Entry(
                    warehouse_id,
                    product,
                    MovementKind.ADJUSTMENT,
                    on_hand_delta=-units,
                    reason=f"damage: {where} scrapped",
                    source_type=SOURCE_TYPE,
                    source_id=number,
                )
            )
    if not entries:
        return
    ledger.ensure_levels(uow.session, [e.key for e in entries])
    levels = ledger.post(uow.session, entries, actor=uow.actor)
    back: dict[tuple[uuid.UUID, uuid.UUID], tuple[str, int]] = {}
    for line, kind, units, warehouse_id, _supplier, _text in decided:
        if kind in RESTOCKING and warehouse_id is not None:
            key = (warehouse_id, line["product_id"])
            sku, before = back.get(key, (line["sku"], 0))
            back[key] = (sku, before + units)
    codes = warehouse_codes(uow.session, {w for w, _p in back})
    uow.record(
        *(
            StockReturned(
                aggregate_id=product_id,
                warehouse_id=warehouse_id,
                warehouse=codes[warehouse_id],
                sku=sku,
                quantity=units,
                on_hand=levels[(warehouse_id, product_id)].on_hand,
                reference=number,
            )
            for (warehouse_id, product_id), (sku, units) in sorted(back.items())
        )
    )
