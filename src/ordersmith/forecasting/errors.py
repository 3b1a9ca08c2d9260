"""The forecasting area's errors (stable codes, see ordersmith.errors)."""

from ordersmith.errors import NotFound, ValidationFailed


class ForecastRunNotFound(NotFound):
    code = "forecast_run_not_found"


class ForecastNotFound(NotFound):
    """The SKU exists but no completed run has forecast it (at that warehouse)."""

    code = "forecast_not_found"


class TooManySeries(ValidationFailed):
    """A run over the API is synchronous: it is limited in size (the CLI is not)."""

    code = "too_many_series"
    title = "Too many series for one request"
