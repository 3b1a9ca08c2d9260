"""Managing carriers and their service levels, and turning one into its adapter."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith import clock
from ordersmith.adapters.carriers import (
    Carrier as CarrierAdapter,
)
from ordersmith.adapters.carriers import (
    CarrierConfig,
    CarrierKind,
    build_carrier,
    validate_tracking_url_template,
)
from ordersmith.db import insert_rows, table_of
from ordersmith.errors import AlreadyExists, FieldError, NotFound, ValidationFailed
from ordersmith.ids import new_id
from ordersmith.shipping.models import Carrier, CarrierService
from ordersmith.uow import UnitOfWork
from ordersmith.validation import FieldChecks, identifier, text

KINDS = ("local_courier", "generic")
DEFAULT_TRANSIT_DAYS = 2
"""Used for promises when no carrier service is marked default."""


@dataclass(frozen=True, slots=True)
class ServiceInput:
    service_level: str
    name: str
    transit_days: int
    is_default: bool = False


@dataclass(frozen=True, slots=True)
class ServiceView:
    service_level: str
    name: str
    transit_days: int
    is_default: bool


@dataclass(frozen=True, slots=True)
class CarrierView:
    id: uuid.UUID
    code: str
    name: str
    kind: str
    tracking_url_template: str
    active: bool
    services: tuple[ServiceView, ...]


def create_carrier(
    uow: UnitOfWork,
    *,
    code: str,
    name: str,
    kind: str,
    tracking_url_template: str = "",
    services: Sequence[ServiceInput] = (),
) -> CarrierView:
    checks = FieldChecks()
    code = checks.run("code", identifier(20), code) or ""
    name = checks.run("name", text(120), name) or ""
    if kind not in KINDS:
        checks.fail("kind", f"one of {', '.join(KINDS)}")
    if kind == "generic" or tracking_url_template:
        try:
            tracking_url_template = validate_tracking_url_template(tracking_url_template)
        except ValidationFailed as exc:
            checks.fail("tracking_url_template", exc.detail)
    if not services:
        checks.fail("services", "at least one service level (e.g. standard)")
    levels = [s.service_level for s in services]
    if len(set(levels)) != len(levels):
        checks.fail("services", "service levels must be unique")
    if sum(1 for s in services if s.is_default) > 1:
        checks.fail("services", "at most one default service")
    for i, s in enumerate(services):
        checks.run(f"services.{i}.service_level", identifier(20), s.service_level)
        checks.run(f"services.{i}.name", text(120), s.name)
        if isinstance(s.transit_days, bool) or not 0 <= s.transit_days <= 60:
            checks.fail(f"services.{i}.transit_days", "a whole number of days from 0 to 60")
    checks.raise_if_any("the carrier is not valid")
    carriers = table_of(Carrier)
    if uow.session.scalar(sa.select(carriers.c.id).where(carriers.c.code == code)):
        raise AlreadyExists(f"carrier {code} exists", code="carrier_exists")
    carrier_id = new_id()
    insert_rows(
        uow.session.connection(),
        carriers,
        [
            {
                "id": carrier_id,
                "code": code,
                "name": name,
                "kind": kind,
                "tracking_url_template": tracking_url_template,
                "active": True,
                "created_at": clock.now(),
            }
        ],
    )
    insert_rows(
        uow.session.connection(),
        table_of(CarrierService),
        [
            {
                "id": new_id(),
                "carrier_id": carrier_id,
                "service_level": s.service_level,
                "name": s.name,
                "transit_days": s.transit_days,
                "is_default": s.is_default,
                "active": True,
            }
            for s in services
        ],
    )
    return get_carrier(uow.session, code)


def list_carriers(session: Session) -> list[CarrierView]:
    carriers = table_of(Carrier)
    codes = session.scalars(sa.select(carriers.c.code).order_by(carriers.c.code)).all()
    return [get_carrier(session, code) for code in codes]


def get_carrier(session: Session, code: str) -> CarrierView:
    carriers, services = table_of(Carrier), table_of(CarrierService)
    row = session.execute(sa.select(carriers).where(carriers.c.code == code)).mappings().first()
    if row is None:
        raise NotFound(f"no carrier {code!r}", code="carrier_not_found")
    levels = session.execute(
        sa.select(
            services.c.service_level,
            services.c.name,
            services.c.transit_days,
            services.c.is_default,
        )
        .where(services.c.carrier_id == row["id"], services.c.active.is_(True))
        .order_by(services.c.transit_days.desc(), services.c.service_level)
    )
    return CarrierView(
        row["id"],
        row["code"],
        row["name"],
        row["kind"],
        row["tracking_url_template"],
        row["active"],
        tuple(ServiceView(*r) for r in levels),
    )


def get_carrier_by_id(session: Session, carrier_id: uuid.UUID) -> CarrierView:
    carriers = table_of(Carrier)
    code = session.scalar(sa.select(carriers.c.code).where(carriers.c.id == carrier_id))
    if code is None:
        raise NotFound(f"no carrier {carrier_id}", code="carrier_not_found")
    return get_carrier(session, code)


def adapter_for(view: CarrierView) -> CarrierAdapter:
    kind: CarrierKind = "generic" if view.kind == "generic" else "local_courier"
    return build_carrier(CarrierConfig(view.code, view.name, kind, view.tracking_url_template))


def service_of(view: CarrierView, service_level: str | None) -> ServiceView:
    """The named service level, or the carrier's default (else its first)."""
    if service_level:
        found = next((s for s in view.services if s.service_level == service_level), None)
        if found is None:
            levels = ", ".join(s.service_level for s in view.services)
            raise ValidationFailed(
                f"carrier {view.code} has no service {service_level!r}",
                fields=[FieldError("service_level", f"one of {levels}")],
                code="unknown_service_level",
            )
        return found
    return next((s for s in view.services if s.is_default), view.services[0])


def default_transit_days(session: Session) -> int:
    """Transit days of the default service of the active carriers (the slowest if several)."""
    carriers, services = table_of(Carrier), table_of(CarrierService)
    days = session.scalar(
        sa.select(sa.func.max(services.c.transit_days))
        .join(carriers, carriers.c.id == services.c.carrier_id)
        .where(
            carriers.c.active.is_(True),
            services.c.active.is_(True),
            services.c.is_default.is_(True),
        )
    )
    return DEFAULT_TRANSIT_DAYS if days is None else int(days)
