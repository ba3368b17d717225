from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.start, name="start"),
    path("sign-in/link/<str:token>/", views.link, name="link"),
    path("sign-in/code/", views.code, name="code"),
    path("language/", views.language, name="language"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("home/", views.home, name="home"),
    path("person/", views.person, name="person"),
    path("book/", views.book, name="book"),
    path("book/<int:type_id>/", views.book_type, name="book-type"),
    path("book/<int:type_id>/waitlist/", views.waitlist, name="waitlist"),
    path("appointments/<int:appointment_id>/", views.appointment, name="appointment"),
    path("appointments/<int:appointment_id>/cancel/", views.appointment_cancel, name="appointment-cancel"),
    path("appointments/<int:appointment_id>/move/", views.appointment_move, name="appointment-move"),
    path("messages/", views.message_list, name="messages"),
    # The practice's side
    path("staff/inbox/", views.staff_inbox, name="staff-inbox"),
    path("staff/inbox/<int:message_id>/", views.staff_message, name="staff-message"),
    path("staff/booking-rules/", views.staff_booking_rules, name="staff-booking-rules"),
    path("staff/booking-rules/<int:type_id>/", views.staff_booking_rule_save, name="staff-booking-rule-save"),
    path("staff/proxies/", views.staff_proxies, name="staff-proxies"),
    path("staff/proxies/<int:authorization_id>/revoke/", views.staff_proxy_revoke, name="staff-proxy-revoke"),
]
