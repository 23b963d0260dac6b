from django.urls import path

from . import views

app_name = "returns"

urlpatterns = [
    path("", views.index, name="index"),
    path("recompute/", views.recompute, name="recompute"),
    path("download/", views.download, name="download"),
    path("annex-a/", views.annex_a, name="annex_a"),
    path("download/<str:name>", views.download_file, name="file"),
    path("young-people/<int:pk>/in-touch-check/", views.record_check, name="record_check"),
    path("young-people/<int:pk>/details/", views.edit_details, name="details"),
]
