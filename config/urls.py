from django.contrib import admin
from django.urls import include, path

from accounts import views as accounts_views

urlpatterns = [
    # Every sign-in, the admin's too, goes through the same steps (password, then the second factor).
    path("admin/login/", accounts_views.admin_login),
    path("admin/", admin.site.urls),
    path("login/", accounts_views.sign_in, name="login"),
    path("logout/", accounts_views.sign_out, name="logout"),
    path("account/", include("accounts.urls")),
    path("oversight/", include("oversight.urls")),
    path("returns/", include("returns.urls")),
    path("", include("casework.urls")),
    path("", include("contacts.urls")),
    path("", include("pathway.urls")),
    path("", include("approvals.urls")),
]
