import datetime as dt

from crispy_forms.helper import FormHelper
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse_lazy
from django.utils import timezone

from accounts.forms import one_line
from accounts.models import User
from accounts.widgets import CachedMenu, QuickSelect, SearchSelect

from . import services
from .models import Action, Notification, NotificationPreference

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_YEARS_AHEAD = 3


def _client_model():
    # The client FK's model, reached through the field: this app never imports feedback.
    return Action._meta.get_field("client").related_model


def _not_too_far(day: dt.date, field: str) -> None:
    if day > timezone.localdate() + dt.timedelta(days=365 * MAX_YEARS_AHEAD):
        raise forms.ValidationError(
            f"Choose a {field} within the next {MAX_YEARS_AHEAD} years.", code="too_far"
        )


class _Crispy:
    def _helper(self) -> FormHelper:
        helper = FormHelper()
        helper.form_tag = False
        helper.disable_csrf = True
        return helper


class ActionForm(_Crispy, forms.ModelForm):
    """Create and edit. Partners and facilitators may give the action to anyone active; others
    own what they create. A due date in the past needs an explicit confirmation."""

    confirm_past_due = forms.BooleanField(
        required=False,
        label="Yes, the due date is in the past",
        help_text="Tick this to save an action that is already overdue.",
    )

    class Meta:
        model = Action
        fields = ["title", "detail", "owner", "due_on", "priority", "client"]
        labels = {"due_on": "Due date", "detail": "Details"}
        widgets = {
            "due_on": DATE,
            "detail": forms.Textarea(attrs={"rows": 4}),
            "owner": QuickSelect,
            # A firm may have 100,000 clients: offer a few and search for the rest.
            "client": SearchSelect(
                reverse_lazy("feedback:client_options"), placeholder="Search clients by name"
            ),
        }
        help_texts = {"title": "What will change, in a few words: “Name a backup partner”."}

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.helper = self._helper()
        may_assign = user.has_any_role(*Action.OVERSEERS)
        current = self.instance.owner_id if self.instance.pk else user.pk
        # The current owner stays selectable even if they left, so other fields can be edited.
        owners = User.objects.filter(Q(is_active=True) | Q(pk=current))
        owners = owners.order_by("display_name", "username")
        if not may_assign:
            owners = owners.filter(pk=current)
            self.fields["owner"].disabled = True
        self.fields["owner"].queryset = owners
        if not self.instance.pk:
            self.fields["owner"].initial = user.pk
        self.fields["client"].queryset = _client_model().objects.visible_to(user)
        self.fields["client"].required = False
        self.fields["detail"].required = False

    def clean_title(self) -> str:
        title = self.cleaned_data["title"].strip()
        one_line(title)
        if len(title) < 3:
            raise forms.ValidationError("Give the action a title of a few words.")
        return title

    def clean_due_on(self) -> dt.date:
        due_on = self.cleaned_data["due_on"]
        _not_too_far(due_on, "due date")
        return due_on

    def clean(self):
        cleaned = super().clean()
        due_on = cleaned.get("due_on")
        changed = not self.instance.pk or due_on != self.instance.due_on
        if (
            due_on
            and changed
            and due_on < timezone.localdate()
            and not cleaned.get("confirm_past_due")
        ):
            self.add_error(
                "due_on",
                "This date is in the past, so the action starts overdue. "
                "Tick the confirmation box below to save it anyway.",
            )
            self.past_due_warning = True
        return cleaned

    def create(self, *, by: User) -> Action:
        """The new action this valid form describes, made by `by` (the page and the API)."""
        data = self.cleaned_data
        return services.create_action(
            title=data["title"],
            detail=data["detail"],
            owner=data["owner"],
            due_on=data["due_on"],
            priority=data["priority"],
            created_by=by,
            **({"client": data["client"]} if data["client"] else {}),
        )


class CompleteForm(_Crispy, forms.Form):
    evidence = forms.CharField(
        label="What changed?",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Evidence a partner can check: “new escalation roster”, “engagement-letter "
        "template v4”.",
        error_messages={"required": "Say what changed, so a partner can verify it."},
    )
    link = forms.URLField(
        label="Link to the evidence (optional)",
        required=False,
        max_length=200,
        assume_scheme="https",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = self._helper()


class VerifyForm(_Crispy, forms.Form):
    note = forms.CharField(label="Note (optional)", max_length=500, required=False)
    recheck_on = forms.DateField(
        label="Re-check on (optional)",
        required=False,
        widget=DATE,
        help_text="For example the client's next renewal: you will be asked whether it held.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = self._helper()

    def clean_recheck_on(self):
        day = self.cleaned_data["recheck_on"]
        if day is not None:
            if day <= timezone.localdate():
                raise forms.ValidationError("Choose a re-check date after today.")
            _not_too_far(day, "re-check date")
        return day


class WontDoForm(_Crispy, forms.Form):
    reason = forms.CharField(
        label="Why won't this be done?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why this will not be done."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = self._helper()


class SnoozeForm(_Crispy, forms.Form):
    until = forms.DateField(label="Snooze reminders until", widget=DATE)
    reason = forms.CharField(
        label="Reason",
        max_length=300,
        error_messages={"required": "Say why the reminders should wait."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = self._helper()


class ReopenForm(_Crispy, forms.Form):
    note = forms.CharField(label="Why reopen it? (optional)", max_length=500, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = self._helper()


class PilotForm(_Crispy, forms.Form):
    hypothesis = forms.CharField(
        label="Hypothesis",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What you expect the change to achieve: “a named backup partner for every key "
        "client cuts escalation response to one business day”.",
        error_messages={"required": "Say what you expect the change to achieve."},
    )
    success_measure = forms.CharField(
        label="How will we know it worked?",
        max_length=500,
        help_text="A measure you can check on the review date: “escalations answered within one "
        "business day, 9 of 10”.",
        error_messages={"required": "Say how you will know whether it worked."},
    )
    review_on = forms.DateField(
        label="Review date",
        widget=DATE,
        help_text="When you will look at the measure and record the result.",
        error_messages={"required": "Choose the day you will review the pilot."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = self._helper()

    def clean_review_on(self) -> dt.date:
        day = self.cleaned_data["review_on"]
        if day < timezone.localdate():
            raise forms.ValidationError("Choose a review date from today on.")
        _not_too_far(day, "review date")
        return day


class PilotResultForm(_Crispy, forms.Form):
    result = forms.ChoiceField(
        label="Result",
        choices=Action.PilotResult.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose worked, did not work or inconclusive."},
    )
    learning = forms.CharField(
        label="What did we learn?",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Whatever the result: what held, what surprised you, what to keep.",
        error_messages={"required": "Say what was learned, whatever the result."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = self._helper()


def _owner_menu() -> list[tuple[str, str]]:
    owners = User.objects.filter(Exists(Action.objects.filter(owner=OuterRef("pk"))))
    return [
        ("", "Anyone"),
        *((str(user.pk), user.name) for user in owners.order_by(*User._meta.ordering)),
    ]


class ActionFilterForm(forms.Form):
    """The filters of the partners' list; every value is optional and checked."""

    SOURCES = [
        ("", "Any source"),
        *((source.key, source.label) for source in Action.SOURCES),
        ("none", "No source"),
    ]

    status = forms.ChoiceField(
        choices=[("", "Any status"), ("still_open", "Open or in progress"), *Action.Status.choices],
        required=False,
        widget=QuickSelect,
    )
    owner = forms.ModelChoiceField(
        # EXISTS, not a join: one index probe per person instead of a pass over every action.
        queryset=User.objects.filter(Exists(Action.objects.filter(owner=OuterRef("pk")))),
        required=False,
        empty_label="Anyone",
        # Whoever owns an action: hundreds of people at a large firm, read from 250,000 actions.
        # Kept until people or the actions' owners change (accounts.caching, actions.apps).
        widget=CachedMenu(key="action-owners", menu=_owner_menu, of=("reference", "action-owners")),
    )
    source = forms.ChoiceField(choices=SOURCES, required=False, widget=QuickSelect)
    due_from = forms.DateField(label="Due from", required=False, widget=DATE)
    due_to = forms.DateField(label="Due until", required=False, widget=DATE)
    overdue = forms.BooleanField(label="Overdue only", required=False)
    needs_reassignment = forms.BooleanField(label="Needs reassignment", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs["class"] = "form-check-input"
            elif isinstance(widget, forms.Select):
                widget.attrs["class"] = "form-select"
            else:
                widget.attrs["class"] = "form-control"

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("due_from"), cleaned.get("due_to")
        if start and end and start > end:
            self.add_error("due_to", "The end of the range is before its start.")
        return cleaned

    def filter(self, actions):
        if not self.is_valid():
            return actions
        data = self.cleaned_data
        if data["status"] == "still_open":
            actions = actions.still_open()
        elif data["status"]:
            actions = actions.filter(status=data["status"])
        if data["owner"]:
            actions = actions.filter(owner=data["owner"])
        if data["source"]:
            actions = actions.from_source(data["source"])
        if data["due_from"]:
            actions = actions.filter(due_on__gte=data["due_from"])
        if data["due_to"]:
            actions = actions.filter(due_on__lte=data["due_to"])
        if data["overdue"]:
            actions = actions.overdue()
        if data["needs_reassignment"]:
            actions = actions.still_open().filter(owner__is_active=False)
        return actions


class NotificationSettingsForm(forms.Form):
    """One choice per kind of event: in the app only, e-mail at once, or the daily digest."""

    def __init__(self, *args, preferences: dict[str, str], lessons_digest: bool, **kwargs):
        super().__init__(*args, **kwargs)
        for event, label in Notification.Event.choices:
            self.fields[event] = forms.ChoiceField(
                label=label,
                choices=NotificationPreference.Channel.choices,
                initial=preferences[event],
                widget=forms.RadioSelect,
            )
        self.fields["lessons_digest"] = forms.BooleanField(
            label="Every Monday, e-mail me the lessons published the week before",
            required=False,
            initial=lessons_digest,
        )

    def channels(self) -> dict[str, str]:
        return {event: self.cleaned_data[event] for event in Notification.Event}


class CommentForm(forms.Form):
    text = forms.CharField(
        label="Comment",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Mention a colleague with @ and their username (for example @pat) to tell them.",
    )


# Each status change a person makes, from an action's page or the API: the form that checks what
# they send, and the service that makes the change (and refuses whoever may not).
TRANSITIONS = {
    "start": (forms.Form, lambda action, by, data: services.start_action(action=action, by=by)),
    "complete": (
        CompleteForm,
        lambda action, by, data: services.complete_action(
            action=action, by=by, evidence=data["evidence"], link=data["link"]
        ),
    ),
    "verify": (
        VerifyForm,
        lambda action, by, data: services.verify_action(
            action=action, by=by, note=data["note"], recheck_on=data["recheck_on"]
        ),
    ),
    "wont_do": (
        WontDoForm,
        lambda action, by, data: services.wont_do(action=action, by=by, reason=data["reason"]),
    ),
    "reopen": (
        ReopenForm,
        lambda action, by, data: services.reopen(action=action, by=by, note=data["note"]),
    ),
}
