"""The denial screens' routes (#19 item 7), included by billing/urls.py."""

from django.urls import path

from . import denial_api, denial_views

urlpatterns = [
    path("denials/", denial_views.denials, name="denials"),
    path("denials/rate/", denial_views.denial_rate, name="denial_rate"),
    path("denials/rate.csv", denial_views.denial_rate_csv, name="denial_rate_csv"),
    path("denials/<int:claim_id>/", denial_views.denial, name="denial"),
    path("denials/<int:claim_id>/resubmit/", denial_views.denial_resubmit, name="denial_resubmit"),
    path("denials/<int:claim_id>/appeal/", denial_views.denial_appeal, name="denial_appeal"),
    path("denials/<int:claim_id>/write-off/", denial_views.denial_write_off, name="denial_write_off"),
    *[path(f"denials/write-offs/<int:write_off_id>/{decision}/", denial_views.write_off_decide,
           {"decision": decision}, name=f"write_off_{decision}") for decision in ("approve", "refuse")],
]

# /api/v1/ (included by billing/api_urls.py)
api_urlpatterns = [
    path("denials", denial_api.denials, name="denials"),
    path("denials/<int:claim_id>", denial_api.denial, name="denial"),
    path("denials/<int:claim_id>/resubmit", denial_api.resubmit, name="denial-resubmit"),
    path("denials/<int:claim_id>/appeal-letters", denial_api.appeal, name="denial-appeal"),
    path("denials/<int:claim_id>/write-offs", denial_api.write_off, name="denial-write-off"),
    *[path(f"denial-write-offs/<int:write_off_id>/{decision}", denial_api.write_off_decide, {"decision": decision},
           name=f"denial-write-off-{decision}") for decision in ("approve", "refuse")],
    path("denial-rate", denial_api.denial_rate, name="denial-rate"),
]
