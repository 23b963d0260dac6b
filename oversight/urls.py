from django.urls import path

from . import reviews, views

app_name = "oversight"

# Stable names: the navigation and the benchmarks use them.
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("team/", views.team_dashboard, name="team"),
    path("service/", views.service_dashboard, name="service"),
    path("head/", views.head_dashboard, name="head"),
    path("export/<slug:name>.<str:fmt>", views.export, name="export"),
    path("young-people/<int:pk>/overdue/<slug:code>/update/", views.overdue_update, name="overdue_update"),
    # issue 12 (items 1-3): management oversight
    path("young-people/<int:pk>/overdue-updates/<int:update_pk>/answer/", reviews.overdue_answer, name="overdue_answer"),
    path("reviews/", reviews.dashboard_review, name="dashboard_review"),
]
