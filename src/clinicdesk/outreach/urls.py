from django.urls import path

from . import views

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
]
