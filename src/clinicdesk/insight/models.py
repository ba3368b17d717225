from django.db import models  # noqa: F401

from .dashboards.tables import DailyAppointments  # noqa: F401  (the dashboards' daily counts, #22)
