from django.urls import path

from lectures import views

app_name = "lectures"

urlpatterns = [
    path("", views.past_lectures, name="list"),
    path("<int:lecture_id>/", views.lecture_page, name="detail"),
    path("<int:lecture_id>/export.pdf", views.export, {"kind": "pdf"}, name="export_pdf"),
    path("<int:lecture_id>/transcript.vtt", views.export, {"kind": "vtt"}, name="transcript_vtt"),
    path("<int:lecture_id>/transcript.txt", views.export, {"kind": "txt"}, name="transcript_txt"),
    path("<int:lecture_id>/attendance.csv", views.export, {"kind": "attendance"}, name="attendance_csv"),
    path("<int:lecture_id>/engagement.csv", views.export, {"kind": "engagement"}, name="engagement_csv"),
    path("<int:lecture_id>/access", views.update_attendee_access, name="access"),
    path("<int:lecture_id>/summary/regenerate", views.regenerate_summary, name="regenerate_summary"),
    path("<int:lecture_id>/drive", views.save_to_drive, name="save_to_drive"),
    path("<int:lecture_id>/chat/<int:message_id>/remove", views.remove_chat, name="remove_chat"),
    path("files/<int:file_id>/", views.file_download, name="file_download"),
    path("uploads/<str:token>/", views.local_upload, name="upload"),
    path("drive/connect/", views.drive_connect, name="drive_connect"),
    path("drive/callback/", views.drive_callback, name="drive_callback"),
    path("drive/disconnect/", views.drive_disconnect, name="drive_disconnect"),
]
