from django.urls import path

from inbox.conduct import views

app_name = "conduct"

urlpatterns = [
    path("review/", views.review, name="review"),
    path("cases/<int:case_id>/uphold/", views.case_uphold, name="case_uphold"),
    path("cases/<int:case_id>/lift/", views.case_lift, name="case_lift"),
    path("cases/<int:case_id>/forward/", views.case_forward, name="case_forward"),
    path("contacts/", views.contact_search, name="contact_search"),
    path("contacts/<int:contact_id>/", views.contact_detail, name="contact"),
    path("contacts/<int:contact_id>/link/", views.contact_link, name="contact_link"),
    path("contacts/<int:contact_id>/unlink/", views.contact_unlink, name="contact_unlink"),
    path("contacts/<int:contact_id>/export/", views.contact_export, name="contact_export"),
    path("contacts/<int:contact_id>/erase/", views.contact_erase, name="contact_erase"),
    path("mentions/<int:mention_id>/conduct/", views.mention_conduct_panel, name="mention_panel"),
    path("mentions/<int:mention_id>/flag/", views.mention_flag, name="mention_flag"),
    path("mentions/<int:mention_id>/house-rules/", views.mention_house_rules, name="mention_house_rules"),
    path("mentions/<int:mention_id>/clear/", views.mention_clear, name="mention_clear"),
    path("mentions/<int:mention_id>/personal-data/", views.mention_personal_data_panel, name="personal_data_panel"),
    path("mentions/<int:mention_id>/hide-and-move/", views.mention_hide_and_move, name="hide_and_move"),
]
