from django.urls import path

from . import views

app_name = "insight"
urlpatterns = [
    path("noshow/", views.noshow, name="noshow"),
    path("noshow/train/", views.noshow_train, name="noshow_train"),
]
