from django.urls import path

from . import campaign_views, views

app_name = "outreach"
urlpatterns = [
    path("", views.events_page, name="events"),
    path("events/new/", views.event_new, name="event_new"),
    path("events/<int:event_id>/", views.event_page, name="event"),
    path("events/<int:event_id>/edit/", views.event_edit, name="event_edit"),
    path("events/<int:event_id>/cancel/", views.event_cancel, name="event_cancel"),
    path("events/<int:event_id>/register/", views.register, name="register"),
    path("events/<int:event_id>/register-contact/", views.register_contact, name="register_contact"),
    path("events/<int:event_id>/door/", views.door, name="door"),
    path("registrations/<int:registration_id>/cancel/", views.registration_cancel, name="registration_cancel"),
    path("registrations/<int:registration_id>/attend/", views.attend, name="attend"),
    path("survey/<str:token>/", views.survey, name="survey"),
    # campaigns (#24 item 4)
    path("campaigns/", campaign_views.campaigns_page, name="campaigns"),
    path("campaigns/new/", campaign_views.campaign_new, name="campaign_new"),
    path("campaigns/count/", campaign_views.cohort_count, name="campaign_count"),
    path("campaigns/<int:campaign_id>/", campaign_views.campaign_page, name="campaign"),
    path("campaigns/<int:campaign_id>/edit/", campaign_views.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:campaign_id>/step/", campaign_views.campaign_step, name="campaign_step"),
    path("campaigns/<int:campaign_id>/wave/", campaign_views.campaign_wave, name="campaign_wave"),
    path("campaigns/<int:campaign_id>/report/", campaign_views.campaign_report, name="campaign_report"),
    path("campaigns/<int:campaign_id>/report.csv", campaign_views.campaign_csv, name="campaign_csv"),
    path("campaign-members/<int:member_id>/", campaign_views.campaign_member, name="campaign_member"),
]
