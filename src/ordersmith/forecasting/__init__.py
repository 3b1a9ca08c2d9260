"""Demand forecasting with a buffer: weekly demand per (SKU, warehouse) from the order
history, a model chosen per series by rolling-origin backtest, 13 weeks ahead with
prediction intervals, safety stock and a recommended order (ADR 0017, docs/forecasting.md).

statsforecast is imported inside functions only: importing this package is cheap, and
the server never loads the statistics until a forecast is run."""
