"""The statistics load only when a forecast is computed, never at start-up."""

import subprocess
import sys


def test_starting_the_server_or_the_cli_does_not_import_statsforecast_pandas_or_numpy():
    # when
    code = (
        "import sys, ordersmith.web.app, ordersmith.cli.main, ordersmith.forecasting.services; "
        "print(sorted(m for m in ('statsforecast', 'pandas', 'numpy') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    # then
    assert result.stdout.strip() == "[]"
