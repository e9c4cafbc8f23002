from django.urls import path

from connectors import views

app_name = "connectors"

urlpatterns = [
    path("webhooks/meta", views.meta_webhook, name="meta_webhook"),
    path("connectors/health/", views.health_page, name="health"),
    path("api/v1/accounts/health/", views.AccountHealthView.as_view(), name="health_api"),
]
