from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import AuditEvent, Office, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("Firm", {"fields": ("display_name", "seniority", "office")}),
    )
    list_display = ("username", "display_name", "email", "seniority", "office", "is_active")
    list_filter = ("seniority", "office", "groups", "is_active")
    search_fields = ("username", "display_name", "email")


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ("name", "city")
    search_fields = ("name",)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "actor", "verb", "object_type", "object_id", "ip")
    list_filter = ("verb", "object_type")
    search_fields = ("object_id", "actor__username")
    date_hierarchy = "at"

    # The audit trail is append-only, even for administrators.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
