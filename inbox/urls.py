from django.urls import path

from inbox import views, views_account, views_actions

app_name = "inbox"

urlpatterns = [
    path("", views.queue_page, name="queue"),
    path("live/queue/", views.queue_live, name="queue-live"),
    path("claim-next/", views_actions.claim_next, name="claim-next"),
    path("mentions/<int:mention_id>/", views_actions.domain_errors(views.mention_page), name="mention"),
    path("mentions/<int:mention_id>/live/", views_actions.domain_errors(views.mention_live), name="mention-live"),
    path("mentions/<int:mention_id>/claim/", views_actions.claim, name="claim"),
    path("mentions/<int:mention_id>/release/", views_actions.release, name="release"),
    path("mentions/<int:mention_id>/reply/", views_actions.reply, name="reply"),
    path("mentions/<int:mention_id>/private/", views_actions.move_to_private, name="move-to-private"),
    path("mentions/<int:mention_id>/close/", views_actions.close, name="close"),
    path("mentions/<int:mention_id>/reopen/", views_actions.reopen, name="reopen"),
    path("mentions/<int:mention_id>/note/", views_actions.note, name="note"),
    path("mentions/<int:mention_id>/tags/", views_actions.tags, name="tags"),
    path("messages/<int:message_id>/hide/", views_actions.hide, name="hide"),
    path("deliveries/<int:delivery_id>/undo/", views_actions.undo, name="undo"),
    path("preferences/", views_account.preferences, name="preferences"),
    path("preferences/language/", views_account.switch_language, name="language"),
]
