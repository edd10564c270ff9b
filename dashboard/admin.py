from django.contrib import admin
from django.db import transaction

from . import goals
from .models import Goal


@admin.register(Goal)
class GoalAdmin(admin.ModelAdmin):
    list_display = ["title", "office", "measure", "status", "starts_on", "ends_on"]
    list_filter = ["status", "measure", "office"]
    list_select_related = ["office"]
    raw_id_fields = ["set_by", "manual_updated_by"]

    # Pages keep their rendered goals until the goals change (dashboard.goals.version).
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        transaction.on_commit(goals.changed)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        transaction.on_commit(goals.changed)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        transaction.on_commit(goals.changed)
