from django import forms
from django.contrib import admin, messages

from accounts.events import EVENTS

from . import services
from .models import Delivery, Webhook


class WebhookForm(forms.ModelForm):
    url = forms.URLField(
        label="URL",
        max_length=500,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"class": "vURLField"}),
    )
    events = forms.MultipleChoiceField(
        choices=list(EVENTS.items()), widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Webhook
        fields = ["url", "description", "events", "active"]


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    form = WebhookForm
    list_display = ["url", "description", "active", "event_list", "created_at"]
    list_filter = ["active"]
    search_fields = ["url", "description"]

    def get_readonly_fields(self, request, obj=None):
        # The secret is made when the hook is saved: the add page has none to show yet.
        return ["secret", "created_at"] if obj else []

    @admin.display(description="Events")
    def event_list(self, hook: Webhook) -> str:
        return ", ".join(hook.events)


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "event",
        "webhook",
        "status",
        "attempts",
        "response_code",
        "created_at",
        "next_attempt_at",
    ]
    list_filter = ["status", "event", "webhook"]
    list_select_related = ["webhook"]
    readonly_fields = [
        "uuid",
        "webhook",
        "event",
        "body",
        "status",
        "attempts",
        "response_code",
        "response_body",
        "error",
        "created_at",
        "last_attempt_at",
        "next_attempt_at",
        "replay_of",
    ]
    actions = ["replay"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_replay_permission(self, request):
        return request.user.has_perm("webhooks.change_webhook")

    @admin.action(description="Send the selected deliveries again", permissions=["replay"])
    def replay(self, request, queryset):
        copies = services.replay(deliveries=queryset.select_related("webhook"))
        messages.success(request, f"{len(copies)} deliveries queued again.")
