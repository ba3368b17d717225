from django.urls import path

from . import views
from .dashboards import views as dashboard_views
from .forecast import views as forecast_views

app_name = "insight"
urlpatterns = [
    path("noshow/", views.noshow, name="noshow"),
    path("noshow/train/", views.noshow_train, name="noshow_train"),
    path("dashboards/", dashboard_views.dashboards, name="dashboards"),
    path("dashboards/<slug:key>.csv", dashboard_views.dashboard_csv, name="dashboard_csv"),
    path("forecast/", forecast_views.forecast, name="forecast"),
    path("forecast.csv", forecast_views.forecast_csv, name="forecast_csv"),
    path("forecast/compute/", forecast_views.forecast_compute, name="forecast_compute"),
]
