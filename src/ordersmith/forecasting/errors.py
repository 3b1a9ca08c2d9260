"""The forecasting area's errors (stable codes, see ordersmith.errors)."""

from ordersmith.errors import Conflict, NotFound, ValidationFailed


class ForecastRunNotFound(NotFound):
    code = "forecast_run_not_found"


class ForecastNotFound(NotFound):
    """The SKU exists but no completed run has forecast it (at that warehouse)."""

    code = "forecast_not_found"


class TooManySeries(ValidationFailed):
    """A run over the API is synchronous: it is limited in size (the CLI is not)."""

    code = "too_many_series"
    title = "Too many series for one request"


class ForecastAccuracyUnavailable(Conflict):
    """The run has no accuracy: it is still running, it failed, or it was made before
    accuracy was recorded (migration 0016)."""

    code = "forecast_accuracy_unavailable"
    title = "No accuracy for this forecast run"
