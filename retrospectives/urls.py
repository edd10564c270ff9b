app_name = "retrospectives"

urlpatterns: list = []
