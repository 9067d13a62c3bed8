from django.urls import path

from recordings import views

app_name = "recordings"

urlpatterns = [
    path("layout/", views.layout, name="layout"),
    path("download/<str:token>/", views.download, name="download"),
]
