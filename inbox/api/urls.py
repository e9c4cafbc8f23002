from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from inbox.api import views

# Path converters (not regexes): ids are <int:pk>, so the schema types them and "abc" is a plain 404.
router = DefaultRouter(trailing_slash=True, use_regex_path=False)
router.include_root_view = False
router.register("mentions", views.MentionViewSet, basename="mention")
router.register("deliveries", views.DeliveryViewSet, basename="delivery")
router.register("messages", views.MessageViewSet, basename="message")

app_name = "api"

urlpatterns = [
    path("", include(router.urls)),
    path("auth/token/", views.TokenLoginView.as_view(), name="token"),
    path("auth/logout/", views.TokenLogoutView.as_view(), name="token-logout"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
]
