from django.urls import path

from adminpanel import views

app_name = "adminpanel"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("accounts/", views.accounts, name="accounts"),
    path("accounts/<int:user_id>/", views.update_account, name="update_account"),
    path("ai/", views.ai_settings, name="ai"),
    path("audit/", views.audit_log, name="audit"),
    path("egress/", views.egress, name="egress"),
    path("egress/start", views.egress_start, name="egress_start"),
    path("egress/<str:egress_id>/stop", views.egress_stop, name="egress_stop"),
]
