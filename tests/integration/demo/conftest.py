"""The simulated small demo, shared by the package's modules (once per database)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ordersmith.demo.fulfilment import FulfilmentSummary, simulate_fulfilment
from ordersmith.demo.loader import load_demo
from ordersmith.uow import Database
from tests.conftest import BACKENDS, make_settings
from tests.integration.demo.simulated import DAYS, SEED, SMALL, own_database


@pytest.fixture(scope="package", params=BACKENDS)
def simulated(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Database, FulfilmentSummary]]:
    """A small demo with DAYS days of fulfilment (and months of billing) simulated."""
    folder = tmp_path_factory.mktemp("simulated")
    with own_database(request, folder) as url:
        db = Database.connect(make_settings(folder, url))
        try:
            load_demo(db, **SMALL)
            yield db, simulate_fulfilment(db, days=DAYS, seed=SEED)
        finally:
            db.dispose()
