from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("appointments/", views.appointments, name="appointments"),
]
