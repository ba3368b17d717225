from django.db import models  # noqa: F401

from .dashboards.tables import DailyAppointments  # noqa: F401  (the dashboards' daily counts, #22)
from .forecast.tables import (  # noqa: F401  (the stored demand forecast, #22)
    ForecastCapacity,
    ForecastDay,
    ForecastRun,
    ForecastSeries,
    ForecastWeek,
)
from .reports.tables import (  # noqa: F401  (scheduled reports and the overbook advice policy, #22)
    OverbookPolicy,
    ReportDelivery,
    ReportSubscription,
)
