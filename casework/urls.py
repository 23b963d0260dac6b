from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import (
    allocation,
    chronology,
    documents,
    duty,
    governance,
    notes,
    pages,
    records,
    registration,
    rules_pages,
    supervision,
    views,
)

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
    path("rules/<str:ids>/", rules_pages.rule, name="rule"),  # issue 15, item 3: the "why?" links
    path("cards/<int:pk>/sent/", records.card_sent, name="card_sent"),
    path("absences/", views.absences, name="absences"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    # --- issue 11 (items 1, 6, 8, 9): registration, allocation and cover, closing and reopening ---
    path("young-people/new/", registration.register, name="register_young_person"),
    path("unallocated/", registration.unallocated, name="unallocated"),
    path("young-people/<int:pk>/allocate/", allocation.allocate, name="allocate"),
    path("young-people/<int:pk>/cover/", allocation.cover, name="cover"),
    path("young-people/<int:pk>/close/", registration.close, name="case_close"),
    path("young-people/<int:pk>/reopen/", registration.reopen, name="case_reopen"),
    path("young-people/<int:pk>/support-to-25/", registration.extended_support, name="extended_support"),
    path("absences/team/", allocation.team_absences, name="team_absences"),
    path("absences/<int:pk>/cover/", allocation.absence_cover, name="absence_cover"),

    # --- issue 11 (items 2-5, 7, 10): identity and contact details, accommodation, EET, legal status, flags ---
    path("", include("casework.case_record_urls")),

    # --- issue 12 (items 1-3): case notes, management oversight, supervision ---
    path("young-people/<int:pk>/notes/", notes.notes, name="case_notes"),
    path("young-people/<int:pk>/notes/new/", notes.note_new, name="case_note_new"),
    path("young-people/<int:pk>/notes/<int:note_pk>/", notes.note_detail, name="case_note"),
    path("young-people/<int:pk>/notes/<int:note_pk>/correct/", notes.note_correct, name="case_note_correct"),
    path("supervision/", supervision.supervisions, name="supervisions"),
    path("supervision/new/", supervision.supervision_new, name="supervision_new"),
    path("supervision/<int:pk>/", supervision.supervision_detail, name="supervision"),

    # --- issue 12 (items 4-7): documents, contact corrections, chronology, duty ---
    path("young-people/<int:pk>/documents/", documents.documents, name="documents"),
    path("young-people/<int:pk>/documents/new/", documents.document_new, name="document_new"),
    path("young-people/<int:pk>/documents/<int:document_pk>/download/", documents.document_download,
         name="document_download"),
    path("young-people/<int:pk>/chronology/", chronology.chronology, name="chronology"),
    path("young-people/<int:pk>/chronology.pdf", chronology.chronology_export, name="chronology_pdf"),
    path("young-people/<int:pk>/chronology/key-events/", chronology.key_event_toggle, name="key_event_toggle"),
    path("young-people/<int:pk>/open-on-duty/", duty.break_glass, name="break_glass"),
    path("search/", duty.search, name="search"),
    path("duty/", duty.duty_rota, name="duty_rota"),

    # --- issue 13: the pathway plan as a document ---

    # --- issue 15: pages as their users want them ---
    path("notifications/unread/", pages.notifications_unread, name="notifications_unread"),

    # --- issue 16: performance at national scale ---
]
