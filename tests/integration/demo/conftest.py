"""The simulated small demo, shared by the package's modules (built once per database
per run, each user a copy of it: ``simulated.simulated_copy``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ordersmith.demo.fulfilment import FulfilmentSummary
from ordersmith.uow import Database
from tests.conftest import BACKENDS
from tests.integration.demo.simulated import simulated_copy


@pytest.fixture(scope="package", params=BACKENDS)
def simulated(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Database, FulfilmentSummary]]:
    """A small demo with DAYS days of fulfilment (and months of billing) simulated."""
    with simulated_copy(request, tmp_path_factory) as built:
        yield built
