"""`ordersmith ship ...`: carriers, packing, labels, slips, dispatch and tracking."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import typer
from rich.table import Table

from ordersmith import clock
from ordersmith.cli.common import cli_actor, console, database, styled
from ordersmith.errors import FieldError, ValidationFailed
from ordersmith.orders.queries import order_id
from ordersmith.shipping import carriers, queries
from ordersmith.shipping.dispatch import cancel_shipment, dispatch_shipment
from ordersmith.shipping.documents import print_packing_slip, render_packing_slip
from ordersmith.shipping.labels import print_label
from ordersmith.shipping.packing import PackageInput, pack_shipment
from ordersmith.shipping.tracking import TrackingInput, record_tracking
from ordersmith.validation import whole_number

app = typer.Typer(
    help="Shipping: carriers, pack, label, packing slip, dispatch, tracking.",
    no_args_is_help=True,
)


@app.command("add-carrier")
def add_carrier(
    code: str = typer.Argument(...),
    name: str = typer.Option(..., "--name"),
    kind: str = typer.Option("local_courier", "--kind", help="local_courier or generic"),
    tracking_url: str = typer.Option("", "--tracking-url", help="with {tracking_number}"),
    service: list[str] = typer.Option(
        ["standard:2"], "--service", help="LEVEL:TRANSIT_DAYS, the first is the default"
    ),
) -> None:
    """Add a carrier with its service levels."""
    services = []
    for i, item in enumerate(service):
        level, _, days = item.partition(":")
        transit = whole_number(days)
        if transit is None:
            raise ValidationFailed(
                f"--service {item!r}: write LEVEL:DAYS, e.g. express:1",
                fields=[FieldError("service", "LEVEL:DAYS")],
            )
        services.append(carriers.ServiceInput(level, level.title(), transit, is_default=i == 0))
    with database() as db, db.unit_of_work(actor=cli_actor()) as uow:
        view = carriers.create_carrier(
            uow,
            code=code,
            name=name,
            kind=kind,
            tracking_url_template=tracking_url,
            services=services,
        )
    console.print(f"carrier {view.code} added ({len(view.services)} services)")


@app.command("carriers")
def carriers_list() -> None:
    """The carriers and their service levels."""
    with database() as db, db.reader() as session:
        views = carriers.list_carriers(session)
    table = Table("code", "name", "kind", "services")
    for v in views:
        levels = ", ".join(
            f"{s.service_level} {s.transit_days}d{' *' if s.is_default else ''}" for s in v.services
        )
        table.add_row(v.code, v.name, v.kind, levels)
    console.print(table)


@app.command()
def pack(
    orders: list[str] = typer.Argument(..., help="order numbers (one customer and address)"),
    warehouse: str = typer.Option(..., "--warehouse"),
    carrier: str = typer.Option(..., "--carrier"),
    service_level: str | None = typer.Option(None, "--service"),
    weight_grams: int = typer.Option(..., "--weight-grams", min=1),
    size_mm: str = typer.Option("300x200x150", "--size-mm", help="LxWxH"),
) -> None:
    """Pack everything picked for these orders into one box."""
    parts = size_mm.lower().split("x")
    dims = [n for n in (whole_number(p) for p in parts) if n is not None]
    if len(parts) != 3 or len(dims) != 3:
        raise ValidationFailed(
            f"--size-mm {size_mm!r}: write LxWxH in millimetres, e.g. 300x200x150",
            fields=[FieldError("size_mm", "LxWxH")],
        )
    length, width, height = dims
    with database() as db:
        with db.reader() as session:  # numbers are taken before a unit of work's first SQL
            ids = [order_id(session, o) for o in orders]
        with db.unit_of_work(actor=cli_actor()) as uow:
            ref = pack_shipment(
                uow,
                order_ids=ids,
                warehouse=warehouse,
                carrier=carrier,
                service_level=service_level,
                packages=[PackageInput(weight_grams, length, width, height)],
            )
    console.print(f"{ref.number}: {ref.units} units of {', '.join(ref.order_numbers)}")


@app.command()
def label(
    shipment: str = typer.Argument(..., help="shipment number or id"),
    out: Path = typer.Option(Path("label.pdf"), "--out"),
    tracking_number: str | None = typer.Option(None, "--tracking-number"),
) -> None:
    """Book with the carrier and write the label PDF."""
    with database() as db:
        with db.reader() as session:
            shipment_id = queries.get_shipment(session, shipment).id
        number, pdf = print_label(
            lambda: db.unit_of_work(actor=cli_actor()),
            shipment_id=shipment_id,
            tracking_number=tracking_number,
        )
    out.write_bytes(pdf)
    console.print(f"tracking number {number}; wrote {out}")


@app.command()
def slip(
    shipment: str = typer.Argument(..., help="shipment number or id"),
    out: Path = typer.Option(Path("packing-slip.pdf"), "--out"),
) -> None:
    """Write the packing slip PDF (recorded as printed)."""
    with database() as db:
        with db.reader() as session:
            shipment_id = queries.get_shipment(session, shipment).id
        with db.unit_of_work(actor=cli_actor()) as uow:
            slip = print_packing_slip(uow, shipment_id=shipment_id)
    out.write_bytes(render_packing_slip(slip))
    console.print(f"wrote {out}")


@app.command()
def dispatch(shipment: str = typer.Argument(..., help="shipment number or id")) -> None:
    """The goods left: stock goes out, the customer is told."""
    with database() as db:
        with db.reader() as session:
            shipment_id = queries.get_shipment(session, shipment).id
        with db.unit_of_work(actor=cli_actor()) as uow:
            dispatch_shipment(uow, shipment_id=shipment_id)
    console.print(f"{shipment} dispatched")


@app.command()
def cancel(
    shipment: str = typer.Argument(..., help="shipment number or id"),
    reason: str = typer.Option("", "--reason"),
) -> None:
    """Unpack a shipment that has not left."""
    with database() as db:
        with db.reader() as session:
            shipment_id = queries.get_shipment(session, shipment).id
        with db.unit_of_work(actor=cli_actor()) as uow:
            cancel_shipment(uow, shipment_id=shipment_id, reason=reason)
    console.print(f"{shipment} cancelled")


@app.command()
def track(
    shipment: str = typer.Argument(..., help="shipment number or id"),
    status: str = typer.Option(
        ..., "--status", help="in_transit, out_for_delivery, delivered, exception, ..."
    ),
    event_id: str | None = typer.Option(None, "--event-id", help="the carrier's event id"),
    at: datetime | None = typer.Option(None, "--at", help="when it happened (default: now)"),
    note: str = typer.Option("", "--note"),
) -> None:
    """Record a tracking event by hand (a call with the carrier, a driver's report)."""
    occurred = clock.as_utc(at) if at else clock.now()
    with database() as db:
        with db.reader() as session:
            view = queries.get_shipment(session, shipment)
        if not view.tracking_number:
            raise ValidationFailed(
                f"{view.number} has no tracking number yet: print its label first",
                code="no_tracking_number",
            )
        event = TrackingInput(
            event_id=event_id or f"manual-{occurred.isoformat()}",
            tracking_number=view.tracking_number,
            status=status,
            occurred_at=occurred,
            description=note,
        )
        with db.unit_of_work(actor=cli_actor()) as uow:
            result = record_tracking(uow, carrier=view.carrier, events=[event], source="cli")
    console.print(f"{view.number} is {result.shipments.get(view.number, view.status)}")


@app.command()
def show(shipment: str = typer.Argument(..., help="shipment number or id")) -> None:
    """A shipment: lines, boxes, tracking."""
    with database() as db, db.reader() as session:
        view = queries.get_shipment(session, shipment)
    console.print(
        styled(
            (view.number, "bold"),
            f"  {view.status}  {view.carrier} {view.service_level}  {view.tracking_number}",
        )
    )
    table = Table("box", "order", "sku", "qty")
    for line in view.lines:
        table.add_row(str(line.package_no), line.order_number, line.sku, str(line.quantity))
    console.print(table)
    for event in view.tracking:
        console.print(
            f"  {event.occurred_at.isoformat(timespec='minutes')} {event.status} "
            f"{event.location} {event.description}"
        )
