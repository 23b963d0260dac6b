from django.urls import path

from . import views

app_name = "contacts"

urlpatterns = [
    path("young-people/<int:pk>/contacts/new/", views.contact_log, name="log"),
    path("young-people/<int:pk>/contacts/visit-check/", views.visit_check, name="visit_check"),
    path("young-people/<int:pk>/contacts/<int:contact_pk>/void/", views.contact_void, name="void"),
    path("young-people/<int:pk>/contacts/<int:contact_pk>/correct/", views.contact_correct, name="correct"),
    path("young-people/<int:pk>/escalations/new/", views.escalation_record, name="escalate"),
    path("oversight-items/", views.oversight_items, name="oversight_items"),
    path("oversight-items/<int:pk>/", views.oversight_item, name="oversight_item"),
]
