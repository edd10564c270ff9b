from django.contrib import admin

from .models import Goal


@admin.register(Goal)
class GoalAdmin(admin.ModelAdmin):
    list_display = ["title", "office", "measure", "status", "starts_on", "ends_on"]
    list_filter = ["status", "measure", "office"]
    list_select_related = ["office"]
    raw_id_fields = ["set_by", "manual_updated_by"]
