from django.urls import path

from . import views

app_name = "scheduling"
urlpatterns = [
    path("day/", views.day, name="day"),
    path("week/", views.week, name="week"),
    path("print/", views.print_day, name="print"),
    path("book/", views.book_dialog, name="book_dialog"),
    path("book/new/", views.book, name="book"),
    path("book/patients/", views.patient_pick, name="patient_pick"),
    path("appointments/<int:appointment_id>/", views.appointment_panel, name="appointment"),
    path("appointments/<int:appointment_id>/move/", views.move, name="move"),
    path("appointments/<int:appointment_id>/cancel/", views.cancel, name="cancel"),
    path("appointments/<int:appointment_id>/status/", views.status, name="status"),
    path("appointments/<int:appointment_id>/checklist/", views.checklist, name="checklist"),
    path("appointments/<int:appointment_id>/appointment.ics", views.ics, name="ics"),
    path("first-available/", views.first_available, name="first_available"),
    path("waitlist/", views.waitlist, name="waitlist"),
    path("providers/<int:practitioner_id>/feed/", views.feed_issue, name="feed_issue"),
    path("providers/<int:practitioner_id>/feed/revoke/", views.feed_revoke, name="feed_revoke"),
    path("feeds/<str:token>.ics", views.feed, name="feed"),
]
