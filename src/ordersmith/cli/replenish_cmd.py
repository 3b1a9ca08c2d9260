"""`ordersmith replenish ...`: replenishment policies, review runs, requests (approve, edit,
reject, raise by hand) and ordering them, through the same services as the API.

A request is named by its id or by ``SKU@WAREHOUSE`` (that pair's open or approved one).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import typer
from rich.table import Table

from ordersmith.cli.common import cli_actor, console, database, progress_bar, styled
from ordersmith.errors import ValidationFailed
from ordersmith.replenishment import ordering, policies, queries, services
from ordersmith.replenishment.models import PolicyKind, RequestKind, RequestReason
from ordersmith.replenishment.queries import RequestFilter
from ordersmith.replenishment.runs import run_replenishment
from ordersmith.replenishment.status import RequestStatus
from ordersmith.replenishment.views import OrderingResult, RequestView, RunView
from ordersmith.uow import Database
from ordersmith.validation import one_of
from ordersmith.web.schemas.replenishment import RequestOut

app = typer.Typer(
    help="Replenishment: policies, review runs, requests to buy or transfer, ordering them.",
    no_args_is_help=True,
)
policy_app = typer.Typer(help="Replenishment policies per warehouse and SKU.", no_args_is_help=True)
app.add_typer(policy_app, name="policy")
SHOWN = 30


def _choice(enum: Any, value: str | None, option: str) -> Any:
    if value is None:
        return None
    try:
        return one_of(enum)(value)
    except ValueError as exc:
        raise ValidationFailed(f"{option} {value!r}: {exc}") from None


# -- policies ----------------------------------------------------------------------------


@policy_app.command("set")
def set_policy(
    warehouse: str = typer.Argument(..., help="warehouse code"),
    sku: str = typer.Argument(...),
    kind: str = typer.Option(..., "--kind", help="manual, min_max or forecast"),
    low: int | None = typer.Option(None, "--min", help="min_max: order at or below this"),
    high: int | None = typer.Option(None, "--max", help="min_max: order up to this"),
    note: str = typer.Option("", "--note"),
) -> None:
    """Set how a SKU is replenished at a warehouse."""
    with database() as db, db.unit_of_work(actor=cli_actor()) as uow:
        view = policies.set_policy(
            uow,
            warehouse=warehouse,
            sku=sku,
            kind=kind,
            min_quantity=low,
            max_quantity=high,
            note=note,
        )
    levels = (
        f" (min {view.min_quantity}, max {view.max_quantity})" if view.kind == "min_max" else ""
    )
    console.print(f"{view.sku} at {view.warehouse}: {view.kind}{levels}")


@policy_app.command("remove")
def remove_policy(warehouse: str = typer.Argument(...), sku: str = typer.Argument(...)) -> None:
    """The SKU follows the default policy again at the warehouse."""
    with database() as db, db.unit_of_work(actor=cli_actor()) as uow:
        policies.remove_policy(uow, warehouse=warehouse, sku=sku)
    console.print(f"{sku} at {warehouse.upper()}: follows the default policy")


@policy_app.command("list")
def list_policies(
    warehouse: str | None = typer.Option(None, "--warehouse"),
    sku: str | None = typer.Option(None, "--sku"),
    kind: str | None = typer.Option(None, "--kind"),
    limit: int = typer.Option(200, "--limit", min=1, max=10_000),
) -> None:
    """The policies set per warehouse and SKU (the others follow the default)."""
    chosen = _choice(PolicyKind, kind, "--kind")
    with database() as db, db.reader() as session:
        rows, more = queries.list_policies(
            session, warehouse=warehouse, sku=sku, kind=chosen, limit=limit
        )
        default = db.settings.replenishment_default_policy
    console.print(f"default (ORDERSMITH_REPLENISHMENT_DEFAULT_POLICY): {default.value}")
    table = Table("sku", "warehouse", "policy", "min", "max", "note", "by")
    for p in rows:
        low = "" if p.min_quantity is None else str(p.min_quantity)
        high = "" if p.max_quantity is None else str(p.max_quantity)
        table.add_row(p.sku, p.warehouse, p.kind, low, high, p.note, p.updated_by)
    console.print(table)
    if more:
        console.print(f"… more than {limit} (--limit)")


# -- runs --------------------------------------------------------------------------------


def _print_run(run: RunView) -> None:
    console.print(styled((f"Replenishment run {run.id}", "bold"), f"  by {run.actor}"))
    console.print(run.note)


@app.command("run")
def run() -> None:
    """Review every (warehouse, SKU) now: raise, update or withdraw requests."""
    with database() as db:
        with progress_bar("reviewing") as report:
            view = run_replenishment(db, actor=cli_actor(), progress=report)
        with db.reader() as session:
            rows, _more = queries.list_requests(
                session, RequestFilter(status=RequestStatus.OPEN), limit=SHOWN
            )
    _print_run(view)
    if rows:
        _table(rows)


# -- requests ----------------------------------------------------------------------------


def _table(rows: list[RequestView]) -> None:
    """One line per request; the commands take ``SKU@WAREHOUSE`` for an open or approved
    request, or the id; why it says so: ``replenish show``."""
    table = Table("sku", "at", "status", "reason", "kind", "qty", "from", "document", "id")
    for r in rows:
        table.add_row(
            r.sku,
            r.warehouse,
            r.status,
            r.reason,
            r.kind,
            str(r.order_quantity),
            r.supplier or r.source_warehouse or "(no supplier)",
            r.document_number or "",
            str(r.id),
        )
    console.print(table)


@app.command("requests")
def list_requests(
    status: str | None = typer.Option(None, "--status", help="open, approved, ordered, rejected"),
    kind: str | None = typer.Option(None, "--kind", help="purchase or transfer"),
    reason: str | None = typer.Option(None, "--reason"),
    warehouse: str | None = typer.Option(None, "--warehouse"),
    sku: str | None = typer.Option(None, "--sku"),
    supplier: str | None = typer.Option(None, "--supplier"),
    limit: int = typer.Option(100, "--limit", min=1, max=10_000),
) -> None:
    """Replenishment requests, newest first."""
    flt = RequestFilter(
        _choice(RequestStatus, status, "--status"),
        _choice(RequestKind, kind, "--kind"),
        _choice(RequestReason, reason, "--reason"),
        warehouse,
        sku,
        supplier,
    )
    with database() as db, db.reader() as session:
        rows, more = queries.list_requests(session, flt, limit=limit)
    if not rows:
        console.print("no requests")
        return
    _table(rows)
    if more:
        console.print(f"… more than {limit} (--limit)")


def _print(view: RequestView) -> None:
    quantity = f"{view.order_quantity}" + (
        f" (suggested {view.suggested_quantity})" if view.quantity is not None else ""
    )
    source = view.supplier or view.source_warehouse or "no supplier"
    console.print(
        styled(
            (f"{view.sku} at {view.warehouse}", "bold"),
            f"  {view.status} {view.kind} of {quantity} from {source} ({view.reason})",
        )
    )
    console.print(f"id {view.id}")
    console.print(f"why: {view.explanation}")
    if view.reject_reason:
        console.print(f"rejected by {view.rejected_by}: {view.reject_reason}")
    if view.document_number:
        console.print(f"ordered on {view.document_number}: {view.ordered_quantity}")


@app.command("show")
def show(
    ref: str = typer.Argument(..., help="id or SKU@WAREHOUSE"),
    as_json: bool = typer.Option(False, "--json", help="the API's answer"),
) -> None:
    """One request with the numbers behind it."""
    with database() as db, db.reader() as session:
        view = queries.get_request(session, ref)
    if as_json:
        console.print_json(json.dumps(RequestOut.of(view).model_dump(mode="json")))
        return
    _print(view)
    table = Table("number", "value")
    for key, value in view.numbers.items():
        shown = json.dumps(value) if isinstance(value, dict | list) else str(value)
        table.add_row(key, shown)
    console.print(table)


def _ids(db: Database, refs: list[str]) -> list[uuid.UUID]:
    with db.reader() as session:
        return [queries.request_id(session, ref) for ref in refs]


@app.command("approve")
def approve(
    refs: list[str] = typer.Argument(None, help="ids or SKU@WAREHOUSE"),
    every: bool = typer.Option(False, "--all", help="every open request"),
) -> None:
    """Approve open requests (all of them with --all)."""
    with database() as db:
        if every:
            with db.reader() as session:
                rows, _ = queries.list_requests(
                    session, RequestFilter(status=RequestStatus.OPEN), limit=services.MAX_IDS
                )
            ids = [r.id for r in rows]
        else:
            ids = _ids(db, refs or [])
        if not ids:
            raise ValidationFailed("name the requests to approve, or --all")
        with db.unit_of_work(actor=cli_actor()) as uow:
            views = services.approve_requests(uow, request_ids=ids)
    for view in views:
        console.print(
            f"approved {view.sku} at {view.warehouse}: {view.kind} of {view.order_quantity}"
        )


@app.command("edit")
def edit(
    ref: str = typer.Argument(..., help="id or SKU@WAREHOUSE"),
    quantity: int | None = typer.Option(None, "--quantity"),
    suggested: bool = typer.Option(False, "--suggested", help="back to the suggested quantity"),
    supplier: str | None = typer.Option(None, "--supplier", help="buy from this supplier"),
    source: str | None = typer.Option(None, "--from", help="transfer from this warehouse"),
) -> None:
    """Change a request's quantity, supplier or source warehouse."""
    changes: dict[str, Any] = {}
    if quantity is not None or suggested:
        changes["quantity"] = None if suggested else quantity
    if supplier is not None:
        changes["supplier"] = supplier
    if source is not None:
        changes["source_warehouse"] = source
    with database() as db:
        request_id = _ids(db, [ref])[0]
        with db.unit_of_work(actor=cli_actor()) as uow:
            view = services.edit_request(uow, request_id=request_id, **changes)
    _print(view)


@app.command("reject")
def reject(
    ref: str = typer.Argument(..., help="id or SKU@WAREHOUSE"),
    reason: str = typer.Option(..., "--reason"),
) -> None:
    """Reject a request, saying why."""
    with database() as db:
        request_id = _ids(db, [ref])[0]
        with db.unit_of_work(actor=cli_actor()) as uow:
            view = services.reject_request(uow, request_id=request_id, reason=reason)
    console.print(f"rejected {view.sku} at {view.warehouse}: {view.reject_reason}")


@app.command("raise")
def raise_request(
    sku: str = typer.Argument(...),
    warehouse: str = typer.Option(..., "--warehouse"),
    quantity: int = typer.Option(..., "--quantity"),
    supplier: str | None = typer.Option(None, "--supplier", help="default: the preferred one"),
    source: str | None = typer.Option(None, "--from", help="transfer from this warehouse"),
    note: str = typer.Option("", "--note"),
) -> None:
    """Raise a request by hand."""
    with database() as db, db.unit_of_work(actor=cli_actor()) as uow:
        view = services.raise_request(
            uow,
            warehouse=warehouse,
            sku=sku,
            quantity=quantity,
            supplier=supplier,
            source_warehouse=source,
            note=note,
        )
    _print(view)


def _print_ordered(result: OrderingResult) -> None:
    for d in result.documents:
        lines = ", ".join(f"{sku} {units}" for sku, units in d.lines)
        console.print(f"{d.number}: {d.status} {d.supplier} -> {d.warehouse}: {lines}")
    for s in result.skipped:
        console.print(f"skipped {s.sku} at {s.warehouse} ({s.request_id}): {s.reason}")


@app.command("order")
def order(
    supplier: str | None = typer.Option(None, "--supplier", help="only this supplier"),
    warehouse: str | None = typer.Option(None, "--warehouse", help="only to this warehouse"),
    transfers: bool = typer.Option(True, "--transfers/--no-transfers"),
    dispatch: bool = typer.Option(False, "--dispatch", help="dispatch the transfers at once"),
) -> None:
    """Turn approved requests into draft purchase orders (one per supplier and warehouse)
    and transfers."""
    scope = ordering.Scope(supplier=supplier, warehouse=warehouse)
    with database() as db:
        with db.unit_of_work(actor=cli_actor()) as uow:
            bought = ordering.order_purchase_requests(uow, scope)
        _print_ordered(bought)  # before the transfers: a refused dispatch must not hide them
        moved = OrderingResult()
        if transfers and supplier is None:
            with db.unit_of_work(actor=cli_actor()) as uow:
                moved = ordering.order_transfer_requests(
                    uow, ordering.Scope(warehouse=warehouse), dispatch=dispatch
                )
        _print_ordered(moved)
    if not (bought.documents or bought.skipped or moved.documents or moved.skipped):
        console.print("no approved requests to order")
