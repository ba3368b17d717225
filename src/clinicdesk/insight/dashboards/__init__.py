"""Operational dashboards (#22): figures over the schedule, the flow board, the waitlist and the reminders.

`tables.py` holds insight's own pre-aggregated daily counts (kept current by `rollup.py` through the scheduling
hooks); `filters.py` parses and scopes the filters; `figures.py` has one selector per figure; `views.py` draws
them (Chart.js, with a table and a CSV of each).
"""
