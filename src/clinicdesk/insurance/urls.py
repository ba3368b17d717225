from django.urls import path

from . import views

app_name = "insurance"
urlpatterns = [
    path("", views.day, name="day"),
    path("verify/<int:appointment_id>", views.verify, name="verify"),
    path("batch", views.batch, name="batch"),
    path("results/<int:result_id>", views.result, name="result"),
]
