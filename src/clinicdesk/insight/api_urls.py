from django.urls import path

from clinicdesk.core.resources import describe

from . import api
from .forecast import api as forecast_api
from .reports import api as reports_api

app_name = "insight-api"
urlpatterns = [
    path("insight/noshow-risk", api.noshow_risk_list, name="noshow-risk"),
    path("insight/forecast", forecast_api.forecast_list, name="forecast"),
    path("insight/report-subscriptions", reports_api.report_subscriptions, name="report-subscriptions"),
    path("insight/overbook-advice", reports_api.overbook_advice_list, name="overbook-advice"),
]

describe("insight", paths=api.OPENAPI_PATHS, schemas=api.OPENAPI_SCHEMAS)
describe("insight-forecast", paths=forecast_api.OPENAPI_PATHS, schemas=forecast_api.OPENAPI_SCHEMAS)
describe("insight-reports", paths=reports_api.OPENAPI_PATHS, schemas=reports_api.OPENAPI_SCHEMAS)
