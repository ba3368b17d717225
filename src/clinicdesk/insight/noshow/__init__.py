"""The no-show risk model: a documented history CSV (io), features that never look past the booking
(features), and a calibrated gradient-boosting classifier evaluated on a temporal split (model).

Pure Python over pandas/numpy/scikit-learn: no database. The practice's own history reaches it through
`clinicdesk.insight.services` / `selectors`, turned into the same frame as the CSV.
"""
