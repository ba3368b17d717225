"""The payment reports' routes, part of billing's URLs (billing/urls.py adds them)."""

from django.urls import path

from . import report_views

urlpatterns = [
    path("reports/", report_views.reports_home, name="reports"),
    path("reports/<slug:name>/", report_views.report, name="report"),
    path("reports/<slug:name>/<slug:table>.csv", report_views.report_csv, name="report_csv"),
    path("reports/<slug:name>.pdf", report_views.report_pdf_view, name="report_pdf"),
]
