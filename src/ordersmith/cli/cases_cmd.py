"""`ordersmith cases ...` and `ordersmith timeline ORDER`: customer service cases and the
order timeline from a terminal, through the same services as the API (ADR 0021)."""

from __future__ import annotations

import uuid

import typer
from rich.table import Table

from ordersmith.cli.common import cli_actor, console, database
from ordersmith.customer_service import queries
from ordersmith.customer_service.models import CaseType, Visibility
from ordersmith.customer_service.notes import add_note
from ordersmith.customer_service.opening import open_case
from ordersmith.customer_service.services import (
    assign_case,
    change_priority,
    close_case,
    reopen_case,
    resolve_case,
    wait_on_customer,
)
from ordersmith.customer_service.sla import CasePriority
from ordersmith.customer_service.status import CaseStatus
from ordersmith.customer_service.timeline import MAX_ENTRIES, order_timeline
from ordersmith.customer_service.views import CaseView
from ordersmith.customers.queries import get_customer
from ordersmith.orders import queries as orders
from ordersmith.returns.queries import get_return
from ordersmith.shipping.queries import get_shipment
from ordersmith.uow import Database

app = typer.Typer(
    help="Customer service cases: open, list, show, note, assign, wait, reopen, resolve, close.",
    no_args_is_help=True,
)
CASE = typer.Argument(..., help="case number or id")


def _when(value: object) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if hasattr(value, "strftime") else ""


def _case_id(db: Database, ref: str) -> uuid.UUID:
    with db.reader() as session:
        return queries.get_case(session, ref).id


def _print(view: CaseView) -> None:
    about = ", ".join(
        f"{word} {number}"
        for word, number in (
            ("order", view.order_number),
            ("shipment", view.shipment_number),
            ("return", view.return_number),
        )
        if number
    )
    console.print(
        f"{view.number}: {view.status} {view.type} ({view.priority}) for "
        f"{view.customer_number} {view.customer_name}" + (f" about {about}" if about else "")
    )
    console.print(f"subject: {view.subject}")
    breached = " BREACHED" if view.breached else ""
    stopped = " (clock stopped)" if view.clock_stopped_at else ""
    console.print(f"due: {_when(view.sla_due_at)} UTC{stopped}{breached}")
    for label, value in (("assignee", view.assignee), ("resolution", view.resolution)):
        if value:
            console.print(f"{label}: {value}")
    if view.notes:
        table = Table("at", "author", "visibility", "note")
        for n in view.notes:
            mailed = " (emailed)" if n.communication_id else ""
            table.add_row(_when(n.created_at), n.author, n.visibility + mailed, n.body)
        console.print(table)
    if view.allowed_actions:
        console.print(f"next: {', '.join(view.allowed_actions)}")


def _run(ref: str, action: str, **kw: object) -> None:
    with database() as db:
        case_id = _case_id(db, ref)
        with db.unit_of_work(actor=cli_actor()) as uow:
            service = {
                "wait": wait_on_customer,
                "reopen": reopen_case,
                "resolve": resolve_case,
                "close": close_case,
                "assign": assign_case,
                "priority": change_priority,
            }[action]
            view = service(uow, case_id=case_id, **kw)  # type: ignore[operator]
    _print(view)


@app.command("open")
def open_(
    customer: str = typer.Argument(..., help="customer number or id"),
    subject: str = typer.Option(..., "--subject"),
    case_type: CaseType = typer.Option(CaseType.ENQUIRY, "--type"),
    priority: CasePriority = typer.Option(CasePriority.NORMAL, "--priority"),
    description: str = typer.Option("", "--description", help="the first (internal) note"),
    order: str | None = typer.Option(None, "--order", help="order number or id"),
    shipment: str | None = typer.Option(None, "--shipment", help="shipment number or id"),
    rma: str | None = typer.Option(None, "--return", help="return number or id"),
    assignee: str = typer.Option("", "--assignee"),
    damage_line: int | None = typer.Option(None, "--damage-line", help="damage_report: line"),
    damage_quantity: int = typer.Option(0, "--damage-quantity", help="damage_report: units"),
) -> None:
    """Open a case for a customer (a damage report needs --order)."""
    with database() as db:
        with db.reader() as session:
            links = {
                "customer_id": get_customer(session, customer).id,
                "order_id": orders.order_id(session, order) if order else None,
                "shipment_id": get_shipment(session, shipment).id if shipment else None,
                "return_id": get_return(session, rma).id if rma else None,
            }
        with db.unit_of_work(actor=cli_actor()) as uow:
            view = open_case(
                uow,
                case_type=case_type.value,
                subject=subject,
                priority=priority.value,
                description=description,
                assignee=assignee,
                damage_line_no=damage_line,
                damage_quantity=damage_quantity,
                **links,  # type: ignore[arg-type]
            )
    _print(view)


@app.command("list")
def list_cases(
    status: CaseStatus | None = typer.Option(None, help="only this status"),
    case_type: CaseType | None = typer.Option(None, "--type", help="only this type"),
    priority: CasePriority | None = typer.Option(None, help="only this priority"),
    assignee: str | None = typer.Option(None, help="only this assignee"),
    customer: str | None = typer.Option(None, help="only this customer (number or id)"),
    order: str | None = typer.Option(None, help="only this order (number or id)"),
    breached: bool | None = typer.Option(None, "--breached/--not-breached", help="SLA breach"),
    limit: int = typer.Option(50, min=1, max=10_000),
) -> None:
    """Cases, newest first."""
    with database() as db, db.reader() as session:
        flt = queries.CaseFilter(
            status=status,
            type=case_type,
            priority=priority,
            assignee=assignee,
            customer_id=get_customer(session, customer).id if customer else None,
            order_id=orders.order_id(session, order) if order else None,
            breached=breached,
        )
        rows = queries.list_cases(session, flt, limit=limit)
    table = Table()
    for column in ("number", "status", "type", "priority", "customer", "order", "assignee", "due"):
        table.add_column(column, no_wrap=column in ("number", "order"))
    for r in rows:
        table.add_row(
            r.number,
            r.status.value,
            r.type,
            r.priority,
            r.customer_number,
            r.order_number or "",
            r.assignee,
            _when(r.sla_due_at) + (" BREACHED" if r.breached else ""),
        )
    console.print(table)


@app.command("show")
def show(case: str = CASE) -> None:
    """One case with its notes."""
    with database() as db, db.reader() as session:
        view = queries.get_case(session, case)
    _print(view)


@app.command("note")
def note(
    case: str = CASE,
    body: str = typer.Option(..., "--body"),
    visibility: Visibility = typer.Option(
        Visibility.INTERNAL, "--visibility", help="internal, or customer (emailed to them)"
    ),
    wait: bool = typer.Option(False, "--wait", help="a note to the customer: wait for them"),
) -> None:
    """Add a note (one for the customer is emailed to them)."""
    with database() as db:
        case_id = _case_id(db, case)
        with db.unit_of_work(actor=cli_actor()) as uow:
            view = add_note(uow, case_id=case_id, body=body, visibility=visibility.value, wait=wait)
    _print(view)


@app.command("assign")
def assign(case: str = CASE, assignee: str = typer.Argument(..., help="a staff member")) -> None:
    """Give the case to a staff member ("" : unassigned)."""
    _run(case, "assign", assignee=assignee)


@app.command("priority")
def priority(case: str = CASE, level: CasePriority = typer.Argument(...)) -> None:
    """Change the priority (the due time follows)."""
    _run(case, "priority", priority=level.value)


@app.command("wait")
def wait(case: str = CASE) -> None:
    """Wait on the customer (the SLA clock stops)."""
    _run(case, "wait")


@app.command("reopen")
def reopen(case: str = CASE) -> None:
    """Open a waiting or resolved case again."""
    _run(case, "reopen")


@app.command("resolve")
def resolve(case: str = CASE, resolution: str = typer.Option(..., "--resolution")) -> None:
    """Resolve the case, saying how."""
    _run(case, "resolve", resolution=resolution)


@app.command("close")
def close(case: str = CASE) -> None:
    """Close a resolved case for good."""
    _run(case, "close")


def timeline(
    order: str = typer.Argument(..., help="order number or id"),
    newest_first: bool = typer.Option(False, "--newest-first"),
    limit: int = typer.Option(200, min=1, max=MAX_ENTRIES),
) -> None:
    """Everything that happened to an order, in time order: where is my order?"""
    with database() as db, db.reader() as session:
        found = order_timeline(session, order, newest_first=newest_first, limit=limit)
    console.print(f"{found.order_number}: {found.status}", highlight=False)
    for e in found.entries:
        detail = f" — {e.detail}" if e.detail else ""
        by = f" [{e.actor}]" if e.actor else ""
        console.print(f"{_when(e.at)}  {e.kind:<11} {e.title}{detail}{by}", markup=False)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="cases")
    root.command("timeline")(timeline)
