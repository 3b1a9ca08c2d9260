"""Demo staff: one user per role, with documented demo passwords (README, docs/back-office.md).

Never use these outside a demo: anyone who read the README knows them.
"""

from __future__ import annotations

import sqlalchemy as sa

from ordersmith.staff.models import StaffUser
from ordersmith.staff.roles import StaffRole
from ordersmith.staff.services import create_staff_user
from ordersmith.uow import UnitOfWork

DEMO_DOMAIN = "ordersmith.example"
DEMO_STAFF: tuple[tuple[StaffRole, str, str], ...] = (
    # role, name, password (the email is <role>@ordersmith.example, "_" as "-")
    (StaffRole.ADMIN, "Ada Admin", "demo-admin-pass"),
    (StaffRole.SALES, "Sam Sales", "demo-sales-pass"),
    (StaffRole.CUSTOMER_SERVICE, "Cleo Service", "demo-service-pass"),
    (StaffRole.WAREHOUSE, "Walt Warehouse", "demo-warehouse-pass"),
    (StaffRole.ACCOUNTING, "Alma Accounts", "demo-accounting-pass"),
    (StaffRole.PURCHASING, "Pia Purchasing", "demo-purchasing-pass"),
)


def demo_email(role: StaffRole) -> str:
    return f"{role.value.replace('_', '-')}@{DEMO_DOMAIN}"


def create_demo_staff(uow: UnitOfWork) -> list[str]:
    """Create the demo users that do not exist yet; returns the emails created."""
    created: list[str] = []
    for role, name, password in DEMO_STAFF:
        email = demo_email(role)
        if uow.session.scalar(sa.select(StaffUser.id).where(StaffUser.email == email)):
            continue
        create_staff_user(uow, email=email, name=name, role=role, password=password)
        created.append(email)
    return created
