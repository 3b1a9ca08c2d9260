"""``driver.positional``: a named-parameter text in PostgreSQL's positional form (ADR 0045)."""

from __future__ import annotations

import pytest

from ordersmith.driver import positional


def test_each_name_gets_a_number_in_order_of_first_use() -> None:
    # when
    text, arguments = positional("SELECT %(b)s, %(a)s::int, %(b)s")
    # then
    assert text == "SELECT $1, $2::int, $1"
    assert tuple(arguments({"a": 2, "b": 1, "unused": 3})) == (1, 2)


def test_one_parameter_and_none_give_sequences_too() -> None:
    # when
    one_text, one = positional("SELECT %(only)s")
    none_text, none = positional("SELECT 1")
    # then
    assert (one_text, tuple(one({"only": 7}))) == ("SELECT $1", (7,))
    assert (none_text, tuple(none({}))) == ("SELECT 1", ())


def test_a_doubled_percent_sign_is_one_percent_sign() -> None:
    # when
    text, _arguments = positional("SELECT 'a%%b' LIKE %(p)s")
    # then
    assert text == "SELECT 'a%b' LIKE $1"


def test_a_missing_name_is_a_key_error() -> None:
    # given
    _text, arguments = positional("SELECT %(a)s, %(b)s")
    # when / then
    with pytest.raises(KeyError):
        arguments({"a": 1})
