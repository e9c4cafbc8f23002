from django.urls import path

from inbox.review import views

app_name = "review"

urlpatterns = [
    path("deliveries/", views.deliveries_to_check, name="deliveries"),
    path("deliveries/<int:delivery_id>/confirm-sent/", views.confirm_sent, name="confirm-sent"),
    path("deliveries/<int:delivery_id>/send-again/", views.send_again, name="send-again"),
    path("deliveries/<int:delivery_id>/give-up/", views.give_up, name="give-up"),
]
