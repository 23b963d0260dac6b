from django.urls import path

from . import views

app_name = "pathway"

urlpatterns = [
    path("plans/queue/", views.queue, name="queue"),
    path("young-people/<int:yp_pk>/plans/new/", views.plan_start, name="start"),
    path("plans/<int:pk>/", views.plan_detail, name="detail"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="edit"),
    path("plans/<int:pk>/submit/", views.plan_submit, name="submit"),
    path("plans/<int:pk>/return/", views.plan_return, name="return"),
    path("plans/<int:pk>/sign-off/", views.plan_sign_off, name="sign_off"),
    path("plans/<int:pk>/shared/", views.plan_shared, name="shared"),
]

# issue 13: the plan as a document (item 4) and the reduced-visits request made on a plan (item 3)
urlpatterns += [
    path("plans/<int:pk>/plan.pdf", views.plan_pdf, name="pdf"),
    path("plans/<int:pk>/reduced-visits/", views.plan_request_reduced_visits, name="request_reduced_visits"),
    path("arrangements/<int:pk>/approve-on-plan/", views.approve_on_plan, name="approve_on_plan"),
]
