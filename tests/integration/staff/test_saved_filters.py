"""A staff user's saved list filters: kept per user and list, replaced by name, cleaned of
the page's cursor, refused when bad, and never seen or removed by another user."""

from __future__ import annotations

import uuid

import pytest

from ordersmith.errors import ValidationFailed
from ordersmith.staff.saved_filters import (
    MAX_PER_LIST,
    SavedFilterNotFound,
    delete_filter,
    list_filters,
    save_filter,
)
from ordersmith.uow import Database
from tests.integration.staff.conftest import make_user


def _save(db: Database, user_id: uuid.UUID, name: str, query: str, page: str = "orders") -> None:
    with db.unit_of_work(actor="test") as uow:
        save_filter(uow, user_id=user_id, page=page, name=name, query=query)


def _mine(db: Database, user_id: uuid.UUID, page: str = "orders") -> list[tuple[str, str]]:
    with db.reader() as session:
        return [(f.name, f.url) for f in list_filters(session, user_id=user_id, page=page)]


def test_a_filter_is_kept_by_name_without_the_pages_cursor(db):
    # given
    kim = make_user(db)
    # when
    _save(db, kim.id, "  Phone   holds ", "status=on_hold&channel=phone&cursor=abc&sku=")
    # then
    assert _mine(db, kim.id) == [("Phone holds", "/orders?status=on_hold&channel=phone")]


def test_saving_under_the_same_name_replaces_the_filter(db):
    # given
    kim = make_user(db)
    _save(db, kim.id, "Mine", "status=confirmed")
    # when
    _save(db, kim.id, "Mine", "status=shipped")
    # then
    assert _mine(db, kim.id) == [("Mine", "/orders?status=shipped")]


def test_each_user_sees_and_removes_only_their_own_filters(db):
    # given
    kim = make_user(db)
    ann = make_user(db, email="ann@example.com")
    _save(db, kim.id, "Kim's", "status=confirmed")
    with db.reader() as session:
        (kims,) = list_filters(session, user_id=kim.id, page="orders")
    # when / then: Ann sees none of Kim's, and cannot delete it
    assert _mine(db, ann.id) == []
    with pytest.raises(SavedFilterNotFound), db.unit_of_work(actor="test") as uow:
        delete_filter(uow, user_id=ann.id, filter_id=kims.id)
    assert _mine(db, kim.id) == [("Kim's", "/orders?status=confirmed")]
    # when Kim deletes it
    with db.unit_of_work(actor="test") as uow:
        page = delete_filter(uow, user_id=kim.id, filter_id=kims.id)
    # then
    assert page == "orders"
    assert _mine(db, kim.id) == []


@pytest.mark.parametrize(
    ("page", "name", "field"),
    [("orders", "   ", "name"), ("orders", "x" * 81, "name"), ("secrets", "Mine", "page")],
)
def test_a_bad_name_or_list_is_refused_and_nothing_is_kept(db, page, name, field):
    # given
    kim = make_user(db)
    # when
    with pytest.raises(ValidationFailed) as refused:
        _save(db, kim.id, name, "status=confirmed", page=page)
    # then
    assert [f.field for f in refused.value.fields] == [field]
    assert _mine(db, kim.id, page="orders") == []


def test_a_list_holds_at_most_so_many_filters_per_user(db):
    # given
    kim = make_user(db)
    for n in range(MAX_PER_LIST):
        _save(db, kim.id, f"Filter {n:02}", f"customer=CUST-{n:06}")
    # when
    with pytest.raises(ValidationFailed):
        _save(db, kim.id, "One more", "status=confirmed")
    # then
    assert len(_mine(db, kim.id)) == MAX_PER_LIST
