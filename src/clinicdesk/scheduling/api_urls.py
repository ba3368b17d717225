from django.urls import path

from . import api

app_name = "scheduling-api"
urlpatterns = [
    path("appointments", api.appointments, name="appointments"),
    path("appointments/search", api.search, name="search"),
    path("appointments/<int:appointment_id>", api.appointment, name="appointment"),
    path("appointments/<int:appointment_id>/reschedule", api.reschedule, name="reschedule"),
    path("appointments/<int:appointment_id>/cancel", api.cancel, name="cancel"),
    path("appointments/<int:appointment_id>/status", api.status, name="status"),
]
