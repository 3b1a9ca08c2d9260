"""Case invariants for ``ordersmith check`` (each query returns only what is wrong).

- ``cases_sla_consistent``: a closed case has its closing time, every case's
  resolution, stopped clock and due time come after its opening, and a damage report
  names an incident of its own order (the perfect order counts it).
- ``case_notes_mailed_to_case_customer``: an emailed note's message went to the case's
  customer, about the case's order.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith.checks import Violation
from ordersmith.customer_service.models import Case, CaseNote, CaseType
from ordersmith.customer_service.status import CaseStatus
from ordersmith.db import table_of
from ordersmith.fulfillment.models import OrderIncident
from ordersmith.notifications.models import Communication

_C, _N = table_of(Case), table_of(CaseNote)


def cases_sla_consistent(session: Session) -> list[Violation]:
    incidents = table_of(OrderIncident)
    damage = _C.c.type == CaseType.DAMAGE_REPORT.value
    rows = session.execute(
        sa.select(_C.c.number, _C.c.status, incidents.c.order_id.label("incident_order"), _C)
        .outerjoin(incidents, incidents.c.id == _C.c.damage_incident_id)
        .where(
            sa.or_(
                (_C.c.status == CaseStatus.CLOSED.value) != _C.c.closed_at.is_not(None),
                _C.c.resolved_at < _C.c.created_at,
                _C.c.clock_stopped_at < _C.c.created_at,
                _C.c.sla_due_at <= _C.c.created_at,
                sa.and_(damage, _C.c.damage_incident_id.is_(None)),
                sa.and_(damage, incidents.c.order_id != _C.c.order_id),
                sa.and_(sa.not_(damage), _C.c.damage_incident_id.is_not(None)),
            )
        )
    ).all()
    return [
        Violation(
            "cases_sla_consistent",
            f"case {r.number} ({r.status}): opened {r.created_at}, due {r.sla_due_at}, "
            f"clock stopped {r.clock_stopped_at}, resolved {r.resolved_at}, closed "
            f"{r.closed_at}, damage incident {r.damage_incident_id} of order {r.incident_order}",
        )
        for r in rows
    ]


def case_notes_mailed_to_case_customer(session: Session) -> list[Violation]:
    mail = table_of(Communication)
    rows = session.execute(
        sa.select(_C.c.number, _N.c.id, mail.c.customer_id, mail.c.order_id)
        .join(_C, _C.c.id == _N.c.case_id)
        .join(mail, mail.c.id == _N.c.communication_id)
        .where(
            sa.or_(
                mail.c.customer_id.is_distinct_from(_C.c.customer_id),
                mail.c.order_id.is_distinct_from(_C.c.order_id),
            )
        )
    ).all()
    return [
        Violation(
            "case_notes_mailed_to_case_customer",
            f"case {r.number} note {r.id}: emailed to customer {r.customer_id} "
            f"about order {r.order_id}",
        )
        for r in rows
    ]
