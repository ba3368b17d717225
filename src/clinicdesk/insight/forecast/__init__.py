"""Demand forecasting (#22 item 2): appointment requests per location and type for the next 12 weeks.

`model.py` fits one statsmodels AutoReg per series (weekly dummies, yearly Fourier terms, holidays) and backtests it
against the seasonal-naive forecast (MASE); `capacity.py` compares the forecast with the providers' templates and
suggests extra half-day sessions; `compute.py` reads the history, runs both and stores the result (`tables.py`);
`selectors.py` reads it back for the screen, the API and the roster (`insight.selectors.forecast_for_week`).
Why this library and these choices: docs/adr/0010-demand-forecasting.md.
"""
