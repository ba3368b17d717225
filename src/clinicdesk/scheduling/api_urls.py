from django.urls import path

from clinicdesk.core.resources import describe

from . import api, setup_api

app_name = "scheduling-api"
urlpatterns = [
    path("appointments", api.appointments, name="appointments"),
    path("appointments/search", api.search, name="search"),
    path("appointments/<int:appointment_id>", api.appointment, name="appointment"),
    path("appointments/<int:appointment_id>/reschedule", api.reschedule, name="reschedule"),
    path("appointments/<int:appointment_id>/cancel", api.cancel, name="cancel"),
    path("appointments/<int:appointment_id>/status", api.status, name="status"),
    # waitlist and recurring series (#14 faces), hand-described below
    path("appointments/series", api.series, name="series"),
    path("appointments/series/preview", api.series_check, name="series-preview"),
    path("waitlist", api.waitlist, name="waitlist"),
    path("waitlist/<int:entry_id>/remove", api.waitlist_entry_remove, name="waitlist-remove"),
    # set-up (#14): appointment types, availability blocks, exceptions, holidays (declared in setup_api)
    *[pattern for resource in setup_api.RESOURCES for pattern in resource.urls()],
]

describe("scheduling-faces", paths=api.OPENAPI_PATHS, schemas=api.OPENAPI_SCHEMAS)
