"""Idempotency-Key claims on both databases (the PostgreSQL replay bug: rowcount was -1)."""

import pytest
import sqlalchemy as sa

from ordersmith import clock
from ordersmith.db import table_of
from ordersmith.idempotency import services as idempotency
from ordersmith.idempotency.errors import (
    IdempotencyKeyInFlight,
    IdempotencyKeyInvalid,
    IdempotencyKeyReused,
)
from ordersmith.idempotency.models import IdempotencyRecord


def _claim(db, fingerprint="body-1", key="k-1"):
    return idempotency.claim(
        db,
        client_id="client",
        key=key,
        method="POST",
        path="/api/v1/orders",
        fingerprint=fingerprint,
    )


def test_a_completed_key_replays_its_stored_response(db):
    # given
    claim = _claim(db)
    with db.unit_of_work(actor="t") as uow:
        idempotency.complete(uow, claim, status=201, body={"id": "o-1"})
    # when
    again = _claim(db)
    # then
    assert again == idempotency.StoredResponse(201, {"id": "o-1"})


def test_a_key_still_in_flight_is_a_conflict(db):
    _claim(db)
    with pytest.raises(IdempotencyKeyInFlight):
        _claim(db)


def test_the_same_key_with_another_body_is_refused(db):
    _claim(db)
    with pytest.raises(IdempotencyKeyReused):
        _claim(db, fingerprint="body-2")


def test_a_released_claim_can_be_claimed_again(db):
    claim = _claim(db)
    idempotency.release(db, claim)
    assert isinstance(_claim(db), idempotency.Claim)


def test_keys_are_scoped_per_client(db):
    _claim(db)
    other = idempotency.claim(
        db,
        client_id="someone-else",
        key="k-1",
        method="POST",
        path="/api/v1/orders",
        fingerprint="body-1",
    )
    assert isinstance(other, idempotency.Claim)


@pytest.mark.parametrize("key", ["", "x" * 256, "clé"])
def test_a_malformed_key_is_refused(db, key):
    with pytest.raises(IdempotencyKeyInvalid):
        _claim(db, key=key)


def test_a_slow_first_request_cannot_store_its_result_after_a_retry_took_the_key_over(db):
    # given a first request whose claim expired while it was still running
    first = _claim(db)
    with db.unit_of_work(actor="t") as uow:
        uow.session.execute(sa.update(table_of(IdempotencyRecord)).values(locked_until=clock.now()))
    retry = _claim(db)
    assert isinstance(retry, idempotency.Claim)
    # when the slow first request finally completes
    with pytest.raises(IdempotencyKeyInFlight), db.unit_of_work(actor="t") as uow:
        idempotency.complete(uow, first, status=201, body={"id": "first"})
    # then only the retry's result is stored, and a replay returns it
    with db.unit_of_work(actor="t") as uow:
        idempotency.complete(uow, retry, status=201, body={"id": "retry"})
    assert _claim(db) == idempotency.StoredResponse(201, {"id": "retry"})


def test_a_failed_request_cannot_release_a_key_another_request_holds(db):
    # given
    first = _claim(db)
    with db.unit_of_work(actor="t") as uow:
        uow.session.execute(sa.update(table_of(IdempotencyRecord)).values(locked_until=clock.now()))
    _claim(db)  # a retry took it over
    # when the first request fails and releases
    idempotency.release(db, first)
    # then the retry still holds the key
    with pytest.raises(IdempotencyKeyInFlight):
        _claim(db)
