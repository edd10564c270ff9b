from django.contrib import admin

from . import services
from .models import Action, ActionEvent, QuietPeriod, Reminder, ReminderPolicy


class ActionEventInline(admin.TabularInline):
    model = ActionEvent
    extra = 0
    fields = ["at", "actor", "from_status", "to_status", "note"]
    readonly_fields = fields
    can_delete = False


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "status", "priority", "due_on", "verified_by"]
    list_filter = ["status", "priority", "is_pilot", "pilot_result", "due_on"]
    search_fields = ["title", "detail", "evidence", "owner__username", "owner__display_name"]
    list_select_related = ["owner", "verified_by"]
    raw_id_fields = [
        *Action.ORIGIN_FIELDS,
        "owner",
        "created_by",
        "verified_by",
        "pilot_result_by",
        "rollout_of",
    ]
    date_hierarchy = "due_on"
    inlines = [ActionEventInline]

    # A due date, owner or status changed here moves the reminders as a change on a page does.
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.queue_replan(action=obj)


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["action", "kind", "sequence", "recipient", "scheduled_for", "sent_at"]
    list_filter = ["kind", ("sent_at", admin.EmptyFieldListFilter)]
    list_select_related = ["action", "recipient"]
    raw_id_fields = ["action", "recipient"]
    readonly_fields = ["claimed_at", "claim_token", "sent_at", "attempts"]


class ReplansOnSave:
    """Changing the policy or the firm calendar moves every pending reminder."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.reminder_calendar_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        services.reminder_calendar_changed()

    # The list's "Delete selected" action deletes through here, not delete_model.
    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        services.reminder_calendar_changed()


@admin.register(ReminderPolicy)
class ReminderPolicyAdmin(ReplansOnSave, admin.ModelAdmin):
    list_display = [
        "__str__",
        "days_before_due",
        "overdue_every_days",
        "escalate_after_overdue",
        "weekends_off",
        "workday_starts",
        "workday_ends",
    ]

    def has_add_permission(self, request):
        # One policy for the firm: ReminderPolicy.current() creates it.
        return not ReminderPolicy.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(QuietPeriod)
class QuietPeriodAdmin(ReplansOnSave, admin.ModelAdmin):
    list_display = ["name", "starts_on", "ends_on"]
    date_hierarchy = "starts_on"
