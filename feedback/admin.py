from django.contrib import admin

from .models import (
    Client,
    ExitInterview,
    FeeChange,
    FeedbackRequest,
    FeedbackResponse,
    LearningCheck,
    LossReason,
    SaveAlertSettings,
    SaveAttempt,
    ServiceLine,
    Suggestion,
)


@admin.register(ServiceLine)
class ServiceLineAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(LossReason)
class LossReasonAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "controllable", "check_for_excuse", "active", "position"]
    list_editable = ["controllable", "check_for_excuse", "active", "position"]
    list_filter = ["category", "controllable", "check_for_excuse", "active"]
    search_fields = ["name"]


class FeeChangeInline(admin.TabularInline):
    """The fee history, read-only: Client.save writes it when the fees change."""

    model = FeeChange
    fields = ["changed_on", "previous", "new", "changed_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "status",
        "office",
        "account_manager",
        "relationship_partner",
        "lost_on",
    ]
    list_filter = ["status", "office", "industry", "service_lines"]
    search_fields = ["name"]
    autocomplete_fields = ["account_manager", "relationship_partner"]
    filter_horizontal = ["service_lines"]
    inlines = [FeeChangeInline]

    def save_model(self, request, obj, form, change):
        obj.changed_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(ExitInterview)
class ExitInterviewAdmin(admin.ModelAdmin):
    list_display = ["client", "held_on", "interviewer", "status", "restricted"]
    list_filter = ["status", "restricted", "channel"]
    search_fields = ["client__name"]
    raw_id_fields = ["client", "interviewer"]
    filter_horizontal = ["client_other_reasons"]


@admin.register(FeedbackRequest)
class FeedbackRequestAdmin(admin.ModelAdmin):
    list_display = ["__str__", "created_at", "revoked_at"]
    raw_id_fields = ["client", "created_by"]


@admin.register(FeedbackResponse)
class FeedbackResponseAdmin(admin.ModelAdmin):
    list_display = ["__str__", "triage", "rating", "reason", "reply_sent_at"]
    list_filter = ["triage"]
    raw_id_fields = ["request", "client", "linked_action", "handled_by"]


@admin.register(LearningCheck)
class LearningCheckAdmin(admin.ModelAdmin):
    list_display = ["respondent", "quarter", "item1", "item2", "item3", "item4", "item5"]
    list_filter = ["quarter"]


@admin.register(SaveAlertSettings)
class SaveAlertSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "low_rating_threshold", "first_contact_business_days"]

    def has_add_permission(self, request):
        return not SaveAlertSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SaveAttempt)
class SaveAttemptAdmin(admin.ModelAdmin):
    list_display = ["client", "status", "owner", "opened_at", "first_contact_due_on", "closed_at"]
    list_filter = ["status", "trigger"]
    search_fields = ["client__name"]
    raw_id_fields = ["client", "owner", "closed_by"]


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "submitted_on", "author"]
    list_filter = ["status"]
    raw_id_fields = ["merged_into", "decided_by"]
    # Nobody attaches a name to an anonymous suggestion, or a receipt to a named one.
    readonly_fields = ["author", "receipt_digest"]
