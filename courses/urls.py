from django.urls import path

from courses import views

app_name = "courses"

urlpatterns = [
    path("calendar/hosts/<str:host_token>.ics", views.host_feed, name="host_feed"),
    path("calendar/<str:feed_token>.ics", views.feed, name="feed"),
    path("calendar/<str:feed_token>/<uuid:event_uid>.ics", views.event, name="event"),
    path("courses/<str:code>/", views.course_page, name="course"),
    path("courses/<str:code>/lectures/<int:scheduled_id>/edit", views.edit_scheduled, name="edit_scheduled"),
    path("courses/<str:code>/lectures/<int:scheduled_id>/cancel", views.cancel_scheduled, name="cancel_scheduled"),
    path("courses/opt-out/<str:opt_out_token>/", views.opt_out, name="opt_out"),
]
