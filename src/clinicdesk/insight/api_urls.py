from django.urls import path

from clinicdesk.core.resources import describe

from . import api

app_name = "insight-api"
urlpatterns = [
    path("insight/noshow-risk", api.noshow_risk_list, name="noshow-risk"),
]

describe("insight", paths=api.OPENAPI_PATHS, schemas=api.OPENAPI_SCHEMAS)
