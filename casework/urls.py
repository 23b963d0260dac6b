from django.contrib.auth import views as auth_views
from django.urls import path

from . import governance, pages, records, views

urlpatterns = [
    path("", pages.home, name="home"),  # issue 15, item 6: the page the role acts on
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("caseload/", views.caseload, name="caseload"),
    path("young-people/<int:pk>/", views.young_person_detail, name="young_person"),
    path("young-people/<int:pk>/history/", views.young_person_history, name="young_person_history"),
    path("young-people/<int:pk>/events/new/", views.event_new, name="event_new"),
    path("young-people/<int:pk>/legal-status/", records.legal_status_change, name="legal_status_change"),
    path("young-people/<int:pk>/subject-access.<str:fmt>", governance.subject_access, name="subject_access"),
    path("audit/", governance.audit_log, name="audit_log"),
    path("retention/", governance.retention_review, name="retention_review"),
    path("cards/", records.cards, name="cards"),
    path("cards/<int:pk>/sent/", records.card_sent, name="card_sent"),
    path("absences/", views.absences, name="absences"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    # --- issue 11 (items 1, 6, 8, 9): registration, allocation and cover, closing and reopening ---

    # --- issue 11 (items 2-5, 7, 10): identity and contact details, accommodation, EET, legal status, flags ---

    # --- issue 12 (items 1-3): case notes, management oversight, supervision ---

    # --- issue 12 (items 4-7): documents, contact corrections, chronology, duty ---

    # --- issue 13: the pathway plan as a document ---

    # --- issue 15: pages as their users want them ---
    path("notifications/unread/", pages.notifications_unread, name="notifications_unread"),

    # --- issue 16: performance at national scale ---
]
