from django.urls import path

from . import views

app_name = "approvals"

urlpatterns = [
    path("approvals/", views.queue, name="queue"),
    path("young-people/<int:yp_pk>/arrangements/new/<slug:kind>/", views.arrangement_request, name="request"),
    path("arrangements/<int:pk>/", views.arrangement_detail, name="detail"),
    path("arrangements/<int:pk>/approve/", views.approve, name="approve"),
    path("arrangements/<int:pk>/agree/", views.agree, name="agree"),
    path("arrangements/<int:pk>/reject/", views.reject, name="reject"),
    path("arrangements/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("arrangements/<int:pk>/end/", views.end, name="end"),
    path("arrangements/<int:pk>/continue/", views.continue_after_review, name="continue_after_review"),
    path("young-people/<int:yp_pk>/vulnerable/", views.vulnerable, name="vulnerable"),
    path("young-people/<int:yp_pk>/intervals/", views.intervals, name="intervals"),
    path("young-people/<int:yp_pk>/intervals/clear/", views.interval_clear, name="interval_clear"),
    path("arrangements/<int:pk>/step-back-items/", views.step_back_item, name="step_back_item"),
    path("arrangements/<int:pk>/letter/", views.open_door_letter, name="letter"),
]
