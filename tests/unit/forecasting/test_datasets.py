"""Public data sets that ship inside packages, cut at origins a season apart."""

import importlib.util

import pytest

from ordersmith.forecasting.datasets import DatasetUnavailable, load_dataset
from ordersmith.forecasting.evaluation import evaluate_dataset

HAS_SKTIME = importlib.util.find_spec("sktime") is not None


def test_weekly_co2_is_cut_every_52_weeks_into_156_week_histories():
    # when
    found = load_dataset("co2")
    # then: 2,284 weeks, in tenths of a ppm; the latest cut ends with the data
    (name, latest), (second, earlier) = found.series[:2]
    assert (found.frequency, found.season, found.horizon, found.scale) == ("week", 52, 13, 10)
    assert (name, second) == ("co2@2284", "co2@2232")
    assert len(latest) == len(earlier) == 156
    assert latest[-1] == 3715  # 371.5 ppm in the last week of 2001
    assert earlier[-52:] == latest[-104:-52]  # the same weeks, a year earlier
    assert len(found.series) == (2284 - 104) // 52 + 1


def test_monthly_sets_keep_their_whole_history_up_to_each_origin():
    # when
    found = load_dataset("AirPassengers")
    # then
    assert [(n, len(v)) for n, v in found.series[:2]] == [
        ("airpassengers@144", 144),
        ("airpassengers@132", 132),
    ]
    assert found.series[-1][1][:3] == (112, 118, 132)


def test_an_unknown_data_set_is_refused_with_the_list():
    with pytest.raises(DatasetUnavailable) as refused:
        load_dataset("m5")
    assert refused.value.code == "dataset_not_found"
    assert "co2" in refused.value.extra["datasets"]


@pytest.mark.skipif(not HAS_SKTIME, reason="shampoo and pbs need the datasets extra (sktime)")
def test_sktimes_shampoo_and_pbs_files_are_read_without_importing_sktime():
    # when
    shampoo, pbs = load_dataset("shampoo"), load_dataset("pbs")
    # then
    assert shampoo.series[0][1][:2] == (2660, 1459)  # 266.0 and 145.9, in tenths
    assert len(shampoo.series[0][1]) == 36
    assert len(pbs.series[0][1]) == 204


def test_evaluating_a_data_set_scores_every_origin():
    # when
    found = evaluate_dataset(load_dataset("airpassengers"))
    # then
    assert found.summary.series == len(found.rows) == 11
    assert found.summary.baselines == {"SeasonalNaive": 11}
    assert found.as_json(load_dataset("airpassengers"))["overall"]["evaluated"] == 11
