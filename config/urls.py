from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("oversight/", include("oversight.urls")),
    path("returns/", include("returns.urls")),
    path("", include("casework.urls")),
    path("", include("contacts.urls")),
    path("", include("pathway.urls")),
    path("", include("approvals.urls")),
]
