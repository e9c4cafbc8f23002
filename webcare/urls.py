from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

admin.site.site_header = "Webcare"
admin.site.site_title = "Webcare"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("inbox.api.urls")),
    path("conduct/", include("inbox.conduct.urls")),
    path("review/", include("inbox.review.urls")),
    path("", include("connectors.urls")),
    path("", include("inbox.urls")),
]
