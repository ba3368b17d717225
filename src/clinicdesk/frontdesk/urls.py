from django.urls import path

from . import headsup_views, views

app_name = "frontdesk"

urlpatterns = [
    path("", views.arrivals, name="arrivals"),
    path("appointments/<int:appointment_id>/arrive", views.arrive, name="arrive"),
    path("appointments/<int:appointment_id>/check-in", views.check_in, name="check_in"),
    path("board/", views.board, name="board"),
    path("board/rows", views.board_rows, name="board_rows"),
    path("visits/<int:visit_id>/move/<slug:action>", views.visit_move, name="visit_move"),
    path("visits/<int:visit_id>/check-out", views.check_out, name="check_out"),
    path("visits/<int:visit_id>/follow-up", views.follow_up, name="follow_up"),
    path("visits/<int:visit_id>/recall", views.recall, name="recall"),
    path("visits/<int:visit_id>/summary", views.summary, name="summary"),
    path("walk-ins/", views.walk_in, name="walk_in"),
    path("wait-times/", views.wait_times, name="wait_times"),
    path("visitors/", views.visitors, name="visitors"),
    path("visitors/<int:visitor_id>/sign-out", views.visitor_out, name="visitor_out"),
    path("calls/", views.calls, name="calls"),
    path("slips/<int:slip_id>/answer", views.slip_answer, name="slip_answer"),
    path("slips/<int:slip_id>/close", views.slip_close, name="slip_close"),
    path("inbox/", views.inbox, name="inbox"),
    path("tasks/<int:task_id>/status", views.task_status, name="task_status"),
    path("worklist/", views.worklist, name="worklist"),
    path("worklist/<int:appointment_id>/chase", views.chase, name="chase"),
    # desk-to-provider heads-up (#15)
    path("visits/<int:visit_id>/heads-up", headsup_views.headsup_new, name="headsup_new"),
    path("patients/<int:patient_id>/heads-up", headsup_views.headsup_for_patient, name="headsup_for_patient"),
    path("heads-up/inbox", headsup_views.headsup_inbox, name="headsup_inbox"),
    path("heads-up/<int:headsup_id>/acknowledge", headsup_views.headsup_ack, name="headsup_ack"),
]
