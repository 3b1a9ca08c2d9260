"""The per-process memory of recently checked API tokens (ADR 0035): how long it trusts
an entry, what it forgets, and how big it grows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ordersmith.auth.token_cache import TokenCache

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _remembered(cache: TokenCache[str], key: str, at: datetime = T0) -> None:
    cache.put(key, f"principal of {key}", read_at=at, generation=cache.generation())


def test_a_remembered_token_is_found_until_its_time_is_up() -> None:
    # given
    cache: TokenCache[str] = TokenCache(ttl_seconds=5)
    _remembered(cache, "h1")
    # when / then
    assert cache.get("h1", T0 + timedelta(seconds=4.999)) == "principal of h1"
    assert cache.get("h1", T0 + timedelta(seconds=5)) is None


def test_an_entry_whose_time_is_up_is_dropped_not_kept() -> None:
    # given
    cache: TokenCache[str] = TokenCache(ttl_seconds=5)
    _remembered(cache, "h1")
    # when
    cache.get("h1", T0 + timedelta(seconds=6))
    # then
    assert len(cache) == 0


def test_a_clock_that_went_back_ends_an_entry_rather_than_lengthening_it() -> None:
    # given
    cache: TokenCache[str] = TokenCache(ttl_seconds=5)
    _remembered(cache, "h1")
    # when / then
    assert cache.get("h1", T0 - timedelta(seconds=1)) is None


def test_a_forgotten_token_is_not_found() -> None:
    # given
    cache: TokenCache[str] = TokenCache(ttl_seconds=5)
    _remembered(cache, "h1")
    # when
    cache.forget("h1")
    # then
    assert cache.get("h1", T0) is None


def test_a_read_that_began_before_a_token_was_forgotten_is_not_remembered() -> None:
    # given a read of the token that started before its revocation was forgotten
    cache: TokenCache[str] = TokenCache(ttl_seconds=5)
    generation = cache.generation()
    cache.forget("h1")
    # when that read finishes, with what it saw before the revocation
    cache.put("h1", "stale principal", read_at=T0, generation=generation)
    # then it is not remembered
    assert cache.get("h1", T0) is None


def test_a_cache_time_of_zero_remembers_nothing() -> None:
    # given
    cache: TokenCache[str] = TokenCache(ttl_seconds=0)
    # when
    _remembered(cache, "h1")
    # then
    assert (cache.enabled, cache.get("h1", T0), len(cache)) == (False, None, 0)


def test_the_cache_keeps_at_most_its_size_dropping_the_least_recently_used() -> None:
    # given a cache of two, with h1 used after h2
    cache: TokenCache[str] = TokenCache(ttl_seconds=5, max_entries=2)
    _remembered(cache, "h1")
    _remembered(cache, "h2")
    cache.get("h1", T0)
    # when a third token is remembered
    _remembered(cache, "h3")
    # then h2 made room
    assert [cache.get(k, T0) is not None for k in ("h1", "h2", "h3")] == [True, False, True]
    assert len(cache) == 2
