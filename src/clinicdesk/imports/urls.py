from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("", views.home, name="home"),
    path("<int:batch_id>/", views.review, name="review"),
    path("<int:batch_id>/passwords/", views.passwords, name="passwords"),
    path("undo/", views.undo, name="undo"),
]
