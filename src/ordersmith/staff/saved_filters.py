"""A staff user's own saved filters of the back office's lists (ADR 0030).

A saved filter is a name, the list it belongs to (``orders``, ``returns``, ...) and the
list's query string as the page built it; opening it is following ``/<page>?<query>``.
Saving under a name the user already has for that list replaces it. Nobody sees or
removes another user's filters (another user's filter is not found).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith import clock
from ordersmith.db import table_of
from ordersmith.errors import FieldError, NotFound, ValidationFailed
from ordersmith.ids import new_id
from ordersmith.staff.models import SavedFilter
from ordersmith.uow import UnitOfWork

LISTS = frozenset(
    {"orders", "customers", "returns", "cases", "billing", "shipping", "purchasing", "inventory"}
)
"""The lists whose filters can be saved (each a GET page at ``/<name>``)."""
MAX_NAME = 80
MAX_QUERY = 1000
MAX_PER_LIST = 30
IGNORED = frozenset({"cursor", "csrf_token"})
"""Parameters never kept: where a page of results starts is not part of a filter."""

saved_filters = table_of(SavedFilter)


class SavedFilterNotFound(NotFound):
    code = "saved_filter_not_found"


@dataclass(frozen=True, slots=True)
class SavedFilterView:
    id: uuid.UUID
    page: str
    name: str
    query: str

    @property
    def url(self) -> str:
        return f"/{self.page}?{self.query}" if self.query else f"/{self.page}"


def clean_query(query: str) -> str:
    """The query string without the page's cursor, empty values, or the CSRF token."""
    kept = [(k, v) for k, v in parse_qsl(query.lstrip("?")) if v and k not in IGNORED]
    return urlencode(kept)


def _checked(page: str, name: str, query: str) -> tuple[str, str]:
    problems: list[FieldError] = []
    name = " ".join(name.split())
    if page not in LISTS:
        problems.append(FieldError("page", f"one of {', '.join(sorted(LISTS))}"))
    if not name:
        problems.append(FieldError("name", "give the filter a name"))
    elif len(name) > MAX_NAME:
        problems.append(FieldError("name", f"at most {MAX_NAME} characters"))
    query = clean_query(query)
    if len(query) > MAX_QUERY:
        problems.append(FieldError("query", f"at most {MAX_QUERY} characters"))
    if problems:
        raise ValidationFailed("the saved filter is not valid", fields=problems)
    return name, query


def save_filter(
    uow: UnitOfWork, *, user_id: uuid.UUID, page: str, name: str, query: str
) -> SavedFilterView:
    """Keep ``query`` of list ``page`` under ``name`` for the user (replacing their
    filter of that name). ValidationFailed for a bad name, list or query, or when the
    user has MAX_PER_LIST filters on that list already."""
    name, query = _checked(page, name, query)
    mine = saved_filters.c.user_id == user_id
    same = sa.and_(mine, saved_filters.c.page == page, saved_filters.c.name == name)
    existing = uow.session.execute(sa.select(saved_filters.c.id).where(same)).scalar()
    if existing is not None:
        uow.session.execute(
            saved_filters.update().where(saved_filters.c.id == existing).values(query=query)
        )
        return SavedFilterView(existing, page, name, query)
    count = uow.session.execute(
        sa.select(sa.func.count()).where(mine, saved_filters.c.page == page)
    ).scalar_one()
    if count >= MAX_PER_LIST:
        raise ValidationFailed(
            f"at most {MAX_PER_LIST} saved filters per list: delete one first",
            fields=[FieldError("name", "too many saved filters on this list")],
        )
    row_id = new_id()
    uow.session.execute(
        saved_filters.insert().values(
            id=row_id, user_id=user_id, page=page, name=name, query=query, created_at=clock.now()
        )
    )
    return SavedFilterView(row_id, page, name, query)


def delete_filter(uow: UnitOfWork, *, user_id: uuid.UUID, filter_id: uuid.UUID) -> str:
    """Remove one of the user's filters; the list it belonged to. SavedFilterNotFound
    when there is none of that id (or it is another user's)."""
    page = uow.session.execute(
        saved_filters.delete()
        .where(saved_filters.c.id == filter_id, saved_filters.c.user_id == user_id)
        .returning(saved_filters.c.page)
    ).scalar()
    if page is None:
        raise SavedFilterNotFound("you have no saved filter with this id")
    return str(page)


def list_filters(session: Session, *, user_id: uuid.UUID, page: str) -> list[SavedFilterView]:
    """The user's filters of one list, by name (the unique index serves it)."""
    rows = session.execute(
        sa.select(saved_filters.c.id, saved_filters.c.name, saved_filters.c.query)
        .where(saved_filters.c.user_id == user_id, saved_filters.c.page == page)
        .order_by(saved_filters.c.name)
    )
    return [SavedFilterView(r.id, page, r.name, r.query) for r in rows]
