from django.urls import path

from . import views

app_name = "setup"
urlpatterns = [
    path("", views.guide, name="guide"),
    path("start/", views.first_run, name="first_run"),
    path("steps/<slug:key>/skip/", views.step_skip, name="step_skip"),
]
