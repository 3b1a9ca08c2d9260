"""ORDERSMITH_CASE_SLA_HOURS is checked when the settings load: every priority once,
whole hours; a mistake stops the start with a clear message."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from ordersmith.config import Settings
from ordersmith.customer_service.sla import CasePriority, parse_sla_hours


def test_the_sla_table_is_read_from_the_setting_in_any_order_and_case() -> None:
    # when
    settings = Settings(case_sla_hours=" LOW=96, normal=24,high=8 ,urgent=2")
    # then
    assert parse_sla_hours(settings.case_sla_hours) == {
        CasePriority.LOW: 96,
        CasePriority.NORMAL: 24,
        CasePriority.HIGH: 8,
        CasePriority.URGENT: 2,
    }


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("urgent=4,high=8,normal=24", "no hours for low"),
        ("urgent=4,high=8,normal=24,low=72,urgent=1", "urgent is given twice"),
        ("urgent=4,high=8,normal=24,asap=1", "unknown priority 'asap'"),
        ("urgent=4,high=8,normal=24,low=1.5", "'1.5' is not whole hours"),
        ("urgent=0,high=8,normal=24,low=72", "hours must be from 1"),
        ("urgent", "write priority=hours"),
    ],
)
def test_a_bad_sla_table_is_refused_at_load(value: str, message: str) -> None:
    # when
    with pytest.raises(ValidationError) as refused:
        Settings(case_sla_hours=value)
    # then
    assert message in str(refused.value)
