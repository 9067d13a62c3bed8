app_name = "lectures"

urlpatterns: list = []
