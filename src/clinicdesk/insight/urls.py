from django.urls import path

from . import overbook_views, views
from .dashboards import views as dashboard_views
from .forecast import views as forecast_views
from .reports import views as report_views

app_name = "insight"
urlpatterns = [
    path("noshow/", views.noshow, name="noshow"),
    path("noshow/train/", views.noshow_train, name="noshow_train"),
    path("dashboards/", dashboard_views.dashboards, name="dashboards"),
    path("dashboards/<slug:key>.csv", dashboard_views.dashboard_csv, name="dashboard_csv"),
    path("forecast/", forecast_views.forecast, name="forecast"),
    path("forecast.csv", forecast_views.forecast_csv, name="forecast_csv"),
    path("forecast/compute/", forecast_views.forecast_compute, name="forecast_compute"),
    path("overbook/", overbook_views.overbook, name="overbook"),
    path("overbook/policy/", overbook_views.overbook_policy_save, name="overbook_policy"),
    path("reports/", report_views.subscriptions, name="subscriptions"),
    path("reports/new/", report_views.subscription_new, name="subscription_new"),
    path("reports/<int:subscription_id>/", report_views.subscription_edit, name="subscription_edit"),
    path("reports/<int:subscription_id>/delete/", report_views.subscription_remove, name="subscription_delete"),
    path("reports/<int:subscription_id>/preview/", report_views.subscription_preview, name="subscription_preview"),
]
