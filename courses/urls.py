from django.urls import path

from courses import views

app_name = "courses"

urlpatterns = [
    path("calendar/<str:token>.ics", views.feed, name="feed"),
    path("calendar/<str:token>/<uuid:uid>.ics", views.event, name="event"),
    path("courses/opt-out/<str:token>/", views.opt_out, name="opt_out"),
]
