from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from . import tokens
from .models import ApiToken, AuditEvent, Office, User


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


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Where an administrator revokes someone's leaked token; nobody makes or edits one here."""

    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    search_fields = ("name", "prefix", "user__username", "user__email")
    list_select_related = ("user",)
    actions = ["revoke"]

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        for token in queryset.active():
            tokens.revoke(token=token, by=request.user, request=request)
        self.message_user(request, "The selected tokens are revoked; they no longer work.")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    # A revoked token stays on record, with the audit of its revocation.
    def has_delete_permission(self, request, obj=None):
        return False
