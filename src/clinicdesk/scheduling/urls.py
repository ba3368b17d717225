from django.urls import path

from . import setup_views, views

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
    path("waitlist/new/", views.waitlist_new, name="waitlist_new"),
    path("waitlist/<int:entry_id>/remove/", views.waitlist_drop, name="waitlist_remove"),
    path("series/", views.series_dialog, name="series_dialog"),
    path("series/preview/", views.series_check, name="series_preview"),
    path("series/new/", views.series_new, name="series_book"),
    path("providers/<int:practitioner_id>/feed/", views.feed_issue, name="feed_issue"),
    path("providers/<int:practitioner_id>/feed/revoke/", views.feed_revoke, name="feed_revoke"),
    path("feeds/<str:token>.ics", views.feed, name="feed"),
    # set-up (#14): appointment types, availability, holidays
    path("setup/types/", setup_views.types, name="types"),
    path("setup/types/new/", setup_views.type_new, name="type_new"),
    path("setup/types/<int:pk>/", setup_views.type_edit, name="type_edit"),
    path("setup/types/<int:pk>/deactivate/", setup_views.type_deactivate, name="type_deactivate"),
    path("setup/availability/", setup_views.availability, name="availability"),
    path("setup/availability/blocks/new/", setup_views.template_new, name="template_new"),
    path("setup/availability/blocks/<int:pk>/", setup_views.template_edit, name="template_edit"),
    path("setup/availability/blocks/<int:pk>/end/", setup_views.template_remove, name="template_remove"),
    path("setup/availability/away/new/", setup_views.exception_new, name="exception_new"),
    path("setup/availability/away/<int:pk>/", setup_views.exception, name="exception"),
    path("setup/holidays/", setup_views.holidays, name="holidays"),
    path("setup/holidays/new/", setup_views.holiday_new, name="holiday_new"),
    path("setup/holidays/<int:pk>/", setup_views.holiday, name="holiday"),
]
