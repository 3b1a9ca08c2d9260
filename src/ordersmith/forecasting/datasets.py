"""Public time series that ship inside Python packages, to evaluate the model selection
on data nobody here made (``ordersmith forecast evaluate --dataset ...``).

Nothing is downloaded: each set is read from a package installed with Ordersmith
(statsforecast, and the statsmodels it brings) or, for ``shampoo`` and ``pbs``, from
sktime's own data files when the ``datasets`` extra is installed
(``pip install 'ordersmith[datasets]'``; sktime itself is never imported).

The selection works on whole units, so values with decimals are scaled to integers
(``scale``: CO2 in tenths of a ppm, temperatures in hundredths of a degree). MASE and
WAPE do not depend on the unit. The horizon is a quarter ahead as for demand: 13 weeks,
or 3 months.

**Origins.** One series backtested once is tested on 3 windows only (39 weeks), so
each public series is cut at many origins, a year apart (52 weeks, 12 months: the span
of a backtest, so no week is evaluated twice), and every cut is a series of its own
named ``name@period``: the history up to the origin, the last ``HISTORY_WEEKS`` weeks
of it for weekly data (what a forecast run reads), all of it for monthly data, and at
least two years (``MIN_PERIODS``) either way.
"""

# float-ok-module: public data arrive as floats and leave as scaled integers

from __future__ import annotations

import csv
import importlib.util
import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ordersmith.errors import NotFound

HISTORY_WEEKS = 156
MIN_PERIODS = {"week": 104, "month": 24}


class DatasetUnavailable(NotFound):
    code = "dataset_not_found"
    title = "Data set not available"


def _origins(
    name: str, values: tuple[int, ...], season: int, frequency: str
) -> tuple[tuple[str, tuple[int, ...]], ...]:
    """The series cut at origins a season apart, the latest first (module docstring)."""
    keep = HISTORY_WEEKS if frequency == "week" else len(values)
    cuts = []
    for end in range(len(values), MIN_PERIODS[frequency] - 1, -season):
        history = values[:end][-keep:]
        if any(history):
            cuts.append((f"{name}@{end}", history))
    return tuple(cuts)


@dataclass(frozen=True, slots=True)
class Dataset:
    name: str
    title: str
    source: str
    frequency: str  # week or month
    season: int
    horizon: int
    scale: int  # values were multiplied by this and rounded to whole numbers
    series: tuple[tuple[str, tuple[int, ...]], ...]


def _whole(values: Sequence[float], scale: int) -> tuple[int, ...]:
    """Scaled, rounded half up, gaps filled linearly (a week the source skipped)."""
    known = [(i, v) for i, v in enumerate(values) if v is not None and not math.isnan(v)]
    filled = []
    for (i, a), (j, b) in itertools.pairwise(known):
        filled += [a + (b - a) * (k - i) / (j - i) for k in range(i, j)]
    filled.append(known[-1][1])
    return tuple(max(0, math.floor(v * scale + 0.5)) for v in filled)


def _statsmodels() -> Any:
    import statsmodels.api as sm  # type: ignore[import-untyped]

    return sm


def _co2() -> Dataset:
    sm = _statsmodels()

    data = sm.datasets.co2.load_pandas().data["co2"].tolist()
    return Dataset(
        "co2",
        "Weekly atmospheric CO2 at Mauna Loa (ppm), Mar 1958 - Dec 2001",
        "statsmodels.datasets.co2",
        "week",
        52,
        13,
        10,
        _origins("co2", _whole(data, 10), 52, "week"),
    )


def _airpassengers() -> Dataset:
    from statsforecast.utils import AirPassengers

    return Dataset(
        "airpassengers",
        "Monthly airline passengers (thousands), 1949-1960",
        "statsforecast.utils.AirPassengers",
        "month",
        12,
        3,
        1,
        _origins("airpassengers", _whole(AirPassengers.tolist(), 1), 12, "month"),
    )


def _elnino() -> Dataset:
    sm = _statsmodels()

    frame = sm.datasets.elnino.load_pandas().data
    months = frame.drop(columns="YEAR").to_numpy().ravel().tolist()
    return Dataset(
        "elnino",
        "Monthly sea surface temperature in the El Nino region (°C), 1950-2010",
        "statsmodels.datasets.elnino",
        "month",
        12,
        3,
        100,
        _origins("elnino", _whole(months, 100), 12, "month"),
    )


def _sktime_csv(folder: str, name: str) -> list[float]:
    spec = importlib.util.find_spec("sktime")
    if spec is None or not spec.submodule_search_locations:
        raise DatasetUnavailable(
            f"the {name} data set ships with sktime: pip install 'ordersmith[datasets]'"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "datasets" / "data" / folder
    with (path / f"{folder}.csv").open(newline="") as handle:
        return [float(row[1]) for row in list(csv.reader(handle))[1:]]


def _shampoo() -> Dataset:
    values = _sktime_csv("ShampooSales", "shampoo")
    return Dataset(
        "shampoo",
        "Monthly shampoo sales over three years (Makridakis et al.)",
        "sktime.datasets (ShampooSales.csv)",
        "month",
        12,
        3,
        10,
        _origins("shampoo", _whole(values, 10), 12, "month"),
    )


def _pbs() -> Dataset:
    values = _sktime_csv("PBS_dataset", "pbs")
    return Dataset(
        "pbs",
        "Monthly PBS scripts for immune sera, Australia, Jul 1991 - Jun 2008 (intermittent)",
        "sktime.datasets (PBS_dataset.csv)",
        "month",
        12,
        3,
        1,
        _origins("pbs", _whole(values, 1), 12, "month"),
    )


LOADERS: dict[str, Callable[[], Dataset]] = {
    "co2": _co2,
    "airpassengers": _airpassengers,
    "elnino": _elnino,
    "shampoo": _shampoo,
    "pbs": _pbs,
}


def load_dataset(name: str) -> Dataset:
    """The data set called ``name`` (``LOADERS``), or DatasetUnavailable."""
    loader = LOADERS.get(name.strip().lower())
    if loader is None:
        raise DatasetUnavailable(
            f"no data set {name!r}: one of {', '.join(LOADERS)}",
            extra={"datasets": list(LOADERS)},
        )
    return loader()
