"""Possible duplicate customers: active customers sharing a key (ADR 0022).

Three rules, each a key computed in SQL the same way on SQLite and PostgreSQL:

- ``email``: the email, lower-case (stored so already);
- ``phone``: the phone's digits — spaces, ``+``, ``-``, ``.``, ``/`` and brackets
  removed (``+49 (30) 123-45`` and ``4930 12345`` match);
- ``name_postcode``: the name lower-case without spaces and punctuation, plus the
  postcode of any of the customer's addresses, upper-case without spaces.

Groups are listed by (rule, key), keyset-paginated: one grouped statement per rule on the
page, and one statement for the page's members. Customers merged into another are left
out. Detection only suggests: a person merges (``merge.merge_customers``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, get_args

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ordersmith.customers.models import Customer, CustomerAddress
from ordersmith.db import table_of

Rule = Literal["email", "phone", "name_postcode"]
RULES: tuple[Rule, ...] = get_args(Rule)
_PHONE_NOISE = (" ", "+", "-", ".", "/", "(", ")")
_NAME_NOISE = (" ", ".", ",", "-", "'", "&")


@dataclass(frozen=True, slots=True)
class DuplicateMember:
    id: uuid.UUID
    number: str
    name: str
    email: str
    phone: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class DuplicateGroup:
    rule: Rule
    key: str
    customers: tuple[DuplicateMember, ...]


def _strip(expr: sa.ColumnElement[str], chars: tuple[str, ...]) -> sa.ColumnElement[str]:
    for ch in chars:
        expr = sa.func.replace(expr, ch, "")
    return expr


def _key(rule: Rule) -> tuple[sa.ColumnElement[str], bool]:
    """The rule's key expression, and whether it needs the addresses joined."""
    c, a = table_of(Customer), table_of(CustomerAddress)
    if rule == "email":
        return sa.func.lower(c.c.email), False
    if rule == "phone":
        return _strip(c.c.phone, _PHONE_NOISE), False
    name = _strip(sa.func.lower(c.c.name), _NAME_NOISE)
    postcode = sa.func.upper(_strip(a.c.postcode, (" ", "-")))
    return name + sa.literal("|") + postcode, True


def _keyed(rule: Rule, *columns: Any) -> tuple[sa.Select[Any], sa.ColumnElement[str]]:
    c, a = table_of(Customer), table_of(CustomerAddress)
    key, joined = _key(rule)
    query = sa.select(key.label("key"), *columns).select_from(c)
    if joined:
        query = query.join(a, a.c.customer_id == c.c.id).where(a.c.postcode != "")
    elif rule == "phone":
        query = query.where(c.c.phone != "")
    return query.where(c.c.merged_into_id.is_(None)), key


def _group_keys(session: Session, rule: Rule, after: str | None, limit: int) -> list[str]:
    c = table_of(Customer)
    query, key = _keyed(rule)
    query = (
        query.group_by(key)
        .having(sa.func.count(sa.distinct(c.c.id)) > 1)
        .order_by(key)
        .limit(limit)
    )
    if after is not None:
        query = query.where(key > after)
    if rule == "phone":
        query = query.where(key != "")
    return [row.key for row in session.execute(query)]


def find_duplicates(
    session: Session,
    *,
    rule: Rule | None = None,
    after: tuple[Rule, str] | None = None,
    limit: int = 50,
) -> tuple[list[DuplicateGroup], bool]:
    """Groups of two or more active customers sharing a key, by rule then key; ``after``
    is the (rule, key) of the last group already seen. Returns (groups, has_more)."""
    rules = [rule] if rule else list(RULES)
    if after is not None and after[0] in rules:
        rules = rules[rules.index(after[0]) :]
    keys: list[tuple[Rule, str]] = []
    for r in rules:
        start = after[1] if after is not None and after[0] == r else None
        keys += [(r, k) for k in _group_keys(session, r, start, limit + 1 - len(keys))]
        if len(keys) > limit:
            break
    more, keys = len(keys) > limit, keys[:limit]
    return [
        DuplicateGroup(r, k, members)
        for (r, k), members in zip(keys, _members(session, keys), strict=True)
    ], more


def _members(session: Session, keys: list[tuple[Rule, str]]) -> list[tuple[DuplicateMember, ...]]:
    c = table_of(Customer)
    found: dict[tuple[Rule, str], dict[uuid.UUID, DuplicateMember]] = {k: {} for k in keys}
    parts = []
    for r in dict.fromkeys(r for r, _ in keys):
        wanted = [k for rr, k in keys if rr == r]
        query, key = _keyed(
            r, sa.literal(r).label("rule"), c.c.id, c.c.number, c.c.name, c.c.email, c.c.phone
        )
        parts.append(query.add_columns(c.c.created_at).where(key.in_(wanted)))
    if parts:
        for row in session.execute(sa.union_all(*parts)):
            member = DuplicateMember(
                row.id, row.number, row.name, row.email, row.phone, row.created_at
            )
            found[(row.rule, row.key)][row.id] = member
    return [tuple(sorted(found[k].values(), key=lambda m: (m.created_at, m.number))) for k in keys]
