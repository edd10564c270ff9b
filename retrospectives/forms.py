import datetime as dt

from django import forms
from django.db.models import Q
from django.urls import reverse_lazy
from django.utils import timezone

from accounts.forms import one_line
from accounts.models import Role, User
from accounts.widgets import QuickSelect, QuickSelectMultiple, SearchSelectMultiple
from feedback.models import LossReason, ServiceLine

from . import library, services
from .models import (
    AuditSchedule,
    BreakoutGroup,
    Contribution,
    Lesson,
    Participant,
    Phase,
    ProcessStep,
    Review,
    WhyProposal,
)


def _active_people():
    return User.objects.filter(is_active=True).order_by("display_name", "username")


def _facilitators():
    return (
        _active_people()
        .filter(
            Q(groups__name__in=[Role.FACILITATOR.value, Role.PARTNER.value]) | Q(is_superuser=True)
        )
        .distinct()
    )


class PersonChoiceField(forms.ModelChoiceField):
    widget = QuickSelect

    def label_from_instance(self, obj):
        return obj.name


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    widget = QuickSelectMultiple

    def label_from_instance(self, obj):
        return obj.name


class ReviewForm(forms.ModelForm):
    """Plan a review. The clients and exit interviews offered are those the planner may attach
    (Review.clients_attachable_by, Review.interviews_attachable_by)."""

    facilitator = PersonChoiceField(queryset=User.objects.none())
    invited = PeopleChoiceField(
        queryset=User.objects.none(),
        required=False,
        label="Invite participants",
        help_text="They see the review in their list; anyone can also join with the code.",
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    class Meta:
        model = Review
        fields = [
            "title",
            "kind",
            "clients",
            "exit_interviews",
            "facilitator",
            "scheduled_for",
            "anonymous_by_default",
            "invited",
        ]
        labels = {
            "scheduled_for": "When",
            "anonymous_by_default": "Notes are anonymous by default",
            "exit_interviews": "Exit interviews to review",
        }
        help_texts = {
            "anonymous_by_default": "Participants can still choose per note. Recommended after a "
            "client loss, so people can speak freely.",
        }
        widgets = {
            "scheduled_for": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            # Thousands of clients and interviews: offer a few, search for the rest.
            "clients": SearchSelectMultiple(
                reverse_lazy("feedback:client_options"),
                attrs={"size": 6},
                placeholder="Search clients by name",
            ),
            "exit_interviews": SearchSelectMultiple(
                reverse_lazy("retrospectives:interview_options"),
                attrs={"size": 4},
                placeholder="Search interviews by client name",
            ),
        }

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].widget.attrs["maxlength"] = 200
        self.fields["title"].validators.append(one_line)
        self.fields["clients"].queryset = Review.clients_attachable_by(user).order_by("name")
        self.fields["clients"].required = False
        self.fields["exit_interviews"].queryset = (
            Review.interviews_attachable_by(user)
            .select_related("client")
            .order_by("-held_on", "-pk")
        )
        self.fields["exit_interviews"].required = False
        self.fields["exit_interviews"].error_messages["invalid_choice"] = (
            "You cannot attach that exit interview: it is still a draft, or restricted to its "
            "interviewer and the partners. Ask its interviewer to finalise it, or a partner to "
            "attach it."
        )
        self.fields["invited"].queryset = _active_people()
        if "facilitator" in self.fields:
            self.fields["facilitator"].queryset = _facilitators()
        if "scheduled_for" in self.fields:
            self.fields["scheduled_for"].required = True
        if not self.instance.pk and not self.initial.get("facilitator") and user.is_facilitator:
            self.initial["facilitator"] = user.pk

    def clean_title(self):
        return self.cleaned_data["title"].replace("\x00", "").strip()

    def clean_scheduled_for(self):
        when = self.cleaned_data["scheduled_for"]
        now = timezone.now()
        if when and not now - dt.timedelta(days=365) <= when <= now + dt.timedelta(days=365):
            raise forms.ValidationError("Pick a time within a year from today.")
        return when


class ReviewEditForm(ReviewForm):
    """Change a planned or live review's title, kind, clients, interviews and invitees, with the
    planning form's rules. Its time moves with RescheduleForm; its facilitator stays."""

    facilitator = None

    class Meta(ReviewForm.Meta):
        fields = ["title", "kind", "clients", "exit_interviews", "invited"]

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["invited"].label = "Invited"
        self.fields["invited"].help_text = (
            "People added get an invitation; people removed get a cancellation. Someone who "
            "has already joined stays."
        )
        if "invited" not in self.initial:
            self.initial["invited"] = list(
                self.instance.participants.values_list("user_id", flat=True)
            )


class RescheduleForm(forms.ModelForm):
    """Move a planned review; everyone invited gets an updated calendar invite."""

    class Meta:
        model = Review
        fields = ["scheduled_for"]
        labels = {"scheduled_for": "New time"}
        widgets = {"scheduled_for": forms.DateTimeInput(attrs={"type": "datetime-local"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scheduled_for"].required = True
        self.fields["scheduled_for"].error_messages["required"] = "Pick the new date and time."

    def clean_scheduled_for(self):
        when = self.cleaned_data["scheduled_for"]
        now = timezone.now()
        if when < now:
            raise forms.ValidationError("Pick a time that has not passed yet.")
        if when > now + dt.timedelta(days=365):
            raise forms.ValidationError("Pick a time within a year from today.")
        return when


# Audits outside these hours are unlikely to be meant, and the clocks never change inside them.
AUDIT_EARLIEST, AUDIT_LATEST = dt.time(6, 0), dt.time(21, 0)


class AuditScheduleForm(forms.ModelForm):
    """A recurring process audit of one service line."""

    facilitator = PersonChoiceField(queryset=User.objects.none())

    class Meta:
        model = AuditSchedule
        fields = ["service_line", "frequency", "starts_on", "time_of_day", "facilitator"]
        labels = {
            "frequency": "Repeats",
            "starts_on": "First audit on",
            "time_of_day": "Time (firm's time zone)",
        }
        help_texts = {
            "starts_on": "Later audits keep this day of the month, or the month's last day "
            "when it is shorter (31 Jan, 28 Feb, 31 Mar).",
            "time_of_day": "Stays the same local time when the clocks change.",
        }
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "time_of_day": forms.TimeInput(attrs={"type": "time"}),
        }
        error_messages = {
            "service_line": {"required": "Pick the service line to audit."},
            "starts_on": {
                "required": "Pick the date of the first audit.",
                "invalid": "Enter a date like 2027-01-31.",
            },
            "time_of_day": {
                "required": "Pick the time the audit starts.",
                "invalid": "Enter a time like 09:00.",
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_line"].queryset = ServiceLine.objects.order_by("name")
        self.fields["facilitator"].queryset = _facilitators()
        self.fields["facilitator"].error_messages["required"] = "Pick who facilitates the audits."

    def clean_starts_on(self):
        day = self.cleaned_data["starts_on"]
        today = timezone.localdate()
        if day < today:
            raise forms.ValidationError("Pick today or a later date for the first audit.")
        if day > today + dt.timedelta(days=365):
            raise forms.ValidationError("Pick a first audit within a year from today.")
        return day

    def clean_time_of_day(self):
        when = self.cleaned_data["time_of_day"]
        if not AUDIT_EARLIEST <= when <= AUDIT_LATEST:
            raise forms.ValidationError(
                f"Pick a time between {AUDIT_EARLIEST:%H:%M} and {AUDIT_LATEST:%H:%M}."
            )
        return when.replace(second=0, microsecond=0)


class NoteForm(forms.Form):
    text = forms.CharField(
        label="Your note",
        max_length=Contribution.MAX_LENGTH,
        error_messages={"required": "Write something before posting."},
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": Contribution.MAX_LENGTH}),
    )
    anonymous = forms.BooleanField(label="Post anonymously", required=False)
    phase = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean_text(self):
        try:
            return services.clean_note_text(self.cleaned_data["text"])
        except forms.ValidationError as error:
            raise forms.ValidationError(error.message_dict["text"]) from error


class TimerForm(forms.Form):
    command = forms.ChoiceField(
        choices=[(c, c) for c in ("start", "pause", "resume", "add_minute", "clear")]
    )
    minutes = forms.IntegerField(min_value=1, max_value=120, required=False)


class CauseForm(forms.Form):
    cause = forms.ModelChoiceField(
        queryset=LossReason.objects.filter(active=True), required=False, label="Cause"
    )


class MergeForm(forms.Form):
    into = forms.ModelChoiceField(queryset=Contribution.objects.none(), label="Merge into")

    def __init__(self, *args, note: Contribution, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = Contribution.objects.filter(
            review=note.review_id, phase=note.phase, merged_into__isnull=True
        ).exclude(pk=note.pk)


class WhysForm(forms.Form):
    cause = forms.ModelChoiceField(
        queryset=Contribution.objects.none(),
        label="Cause to dig into",
        error_messages={
            "required": "Pick the cause to dig into.",
            "invalid_choice": "That note was hidden or merged since; pick the cause again.",
        },
    )

    def __init__(self, *args, review: Review, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cause"].queryset = Contribution.objects.filter(
            review=review, hidden=False, merged_into__isnull=True
        )
        for depth in range(1, 6):
            self.fields[f"why{depth}"] = forms.CharField(
                label=f"Why {depth}?", max_length=500, required=False
            )

    def answers(self) -> list[str]:
        return [self.cleaned_data[f"why{depth}"] for depth in range(1, 6)]


class WhyCauseForm(forms.Form):
    """Which cause note the five whys on the screens dig into; empty follows the top vote."""

    cause = forms.ModelChoiceField(
        queryset=Contribution.objects.none(),
        required=False,
        label="Cause the screens dig into",
        empty_label="The top-voted cause",
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )

    def __init__(self, *args, review: Review, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cause"].queryset = Contribution.objects.filter(
            review=review, phase=Phase.WHY, hidden=False, merged_into__isnull=True
        )
        self.initial.setdefault("cause", review.why_cause_id)


class WhyProposalForm(forms.Form):
    """A why proposed from a phone, for the cause the author saw (a hidden field)."""

    text = forms.CharField(
        label="Why did that happen?",
        max_length=WhyProposal.MAX_LENGTH,
        error_messages={"required": "Write the why before sending it."},
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": WhyProposal.MAX_LENGTH}),
    )
    anonymous = forms.BooleanField(label="Send anonymously", required=False)
    cause = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean_text(self):
        try:
            return services.clean_why_text(self.cleaned_data["text"])
        except forms.ValidationError as error:
            raise forms.ValidationError(error.message_dict["text"]) from error


class ActionFromNoteForm(forms.Form):
    title = forms.CharField(max_length=200, validators=[one_line])
    owner = PersonChoiceField(queryset=User.objects.none())
    due_on = forms.DateField(label="Due", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _active_people()

    def clean_title(self):
        return self.cleaned_data["title"].replace("\x00", "").strip()

    def clean_due_on(self):
        due_on = self.cleaned_data["due_on"]
        today = timezone.localdate()
        if due_on < today:
            raise forms.ValidationError("Pick a due date from today on.")
        if due_on > today + dt.timedelta(days=730):
            raise forms.ValidationError("Pick a due date within two years.")
        return due_on


class SpeakFreelyForm(forms.Form):
    rating = forms.TypedChoiceField(
        label="Could you speak freely?",
        coerce=int,
        choices=[(n, str(n)) for n in range(1, 6)],
        widget=forms.RadioSelect,
    )


class JoinForm(forms.Form):
    code = forms.CharField(label="Code on the screen", max_length=20)

    def clean_code(self):
        code = self.cleaned_data["code"].upper()
        code = "".join(ch for ch in code if ch.isascii() and ch.isalnum())
        if not code:
            raise forms.ValidationError("Type the six letters and digits shown on the screen.")
        return code


class LessonForm(forms.ModelForm):
    """A lesson; publishing it needs a publishable statement free of client and staff names."""

    publish = forms.BooleanField(
        required=False,
        label="Publish to the lesson library",
        help_text="Everyone in the firm can then read the publishable statement.",
    )

    class Meta:
        model = Lesson
        fields = ["statement_internal", "statement_public", "category", "cause", "service_lines"]
        labels = {
            "statement_internal": "What we learned (internal)",
            "statement_public": "Publishable statement",
        }
        widgets = {
            "statement_internal": forms.Textarea(attrs={"rows": 3}),
            "statement_public": forms.Textarea(attrs={"rows": 3}),
            "service_lines": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cause"].queryset = LossReason.objects.filter(active=True)
        self.fields["service_lines"].queryset = ServiceLine.objects.all()
        self.fields["publish"].initial = self.instance.status == Lesson.Status.PUBLISHED

    def clean_statement_internal(self):
        return self._clean_text("statement_internal", required=True)

    def clean_statement_public(self):
        return self._clean_text("statement_public", required=False)

    def _clean_text(self, name: str, *, required: bool) -> str:
        text = self.cleaned_data[name].replace("\x00", "").strip()
        if required and not text:
            raise forms.ValidationError("Write what was learned.")
        if len(text) > 2000:
            raise forms.ValidationError("Keep it under 2,000 characters.")
        return text

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("publish"):
            public = cleaned.get("statement_public", "")
            if not public:
                self.add_error(
                    "statement_public", "Write the publishable statement before publishing."
                )
            else:
                names = services.names_in_public_text(public)
                if names:
                    self.add_error(
                        "statement_public",
                        "A published lesson must not name clients or people. Remove: "
                        + ", ".join(f"“{name}”" for name in names)
                        + ". Describe the kind of client or the role instead.",
                    )
        if cleaned.get("cause") and not cleaned.get("category"):
            cleaned["category"] = cleaned["cause"].category
        return cleaned


class LessonFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=200)
    category = forms.ChoiceField(
        choices=[("", "All categories"), *LossReason.Category.choices], required=False
    )
    service_line = forms.ModelChoiceField(
        queryset=ServiceLine.objects.all(), required=False, empty_label="All service lines"
    )

    def filter(self, lessons):
        """The lessons of the chosen category and service line that match the search (all of
        `lessons` when a value is not valid)."""
        if not self.is_valid():
            return lessons
        data = self.cleaned_data
        if data["category"]:
            lessons = lessons.filter(category=data["category"])
        if data["service_line"]:
            lessons = lessons.filter(service_lines=data["service_line"])
        return library.search_lessons(lessons, data["q"])


class BreakoutForm(forms.Form):
    """Groups by hand: a group number for each participant; sizes are checked together."""

    def __init__(self, *args, participants: list[Participant], **kwargs):
        super().__init__(*args, **kwargs)
        self.participants = participants
        most = max(1, len(participants) // BreakoutGroup.MIN_SIZE)
        choices = [("", "Pick a group")] + [(n, f"Group {n}") for n in range(1, most + 1)]
        for participant in participants:
            self.fields[f"participant_{participant.pk}"] = forms.TypedChoiceField(
                label=participant.user.name,
                choices=choices,
                coerce=int,
                error_messages={
                    "required": "Put this person in a group.",
                    "invalid_choice": "Pick one of the groups listed.",
                },
            )

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            services.check_assignment(self.participants, self.assignment())
        except forms.ValidationError as error:
            for field, messages in error.message_dict.items():
                for message in messages:
                    self.add_error(field if field in self.fields else None, message)
        return cleaned

    def rows(self):
        """(field, participant) pairs, so a page can show each person's seniority."""
        return [(self[f"participant_{p.pk}"], p) for p in self.participants]

    def assignment(self) -> dict[Participant, int]:
        return {p: self.cleaned_data[f"participant_{p.pk}"] for p in self.participants}


class ProcessStepForm(forms.ModelForm):
    class Meta:
        model = ProcessStep
        fields = ["lane", "text", "happened_on", "pain_point", "pain_note"]
        labels = {
            "lane": "Who acted",
            "text": "What happened",
            "happened_on": "Date",
            "pain_point": "Pain point for the client",
            "pain_note": "What hurt",
        }
        help_texts = {"pain_note": "Optional: how this step hurt the client."}
        widgets = {"happened_on": forms.DateInput(attrs={"type": "date"})}
        error_messages = {
            "text": {"required": "Say what happened in this step."},
            "happened_on": {
                "required": "Give the date this step happened.",
                "invalid": "Enter a date such as 2026-03-18.",
            },
            "lane": {
                "required": "Pick who acted in this step.",
                "invalid_choice": "Pick one of the listed lanes.",
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lane"].choices = [("", "Pick who acted"), *ProcessStep.Lane.choices]
        self.fields["text"].widget.attrs["maxlength"] = ProcessStep.MAX_TEXT

    def clean_text(self):
        text = self.cleaned_data["text"].replace("\x00", "").strip()
        if not text:
            raise forms.ValidationError("Say what happened in this step.")
        return text

    def clean_pain_note(self):
        return self.cleaned_data["pain_note"].replace("\x00", "").strip()

    def clean_happened_on(self):
        day = self.cleaned_data["happened_on"]
        today = timezone.localdate()
        if day > today:
            raise forms.ValidationError("This is what actually happened: pick a past date.")
        if day < today - dt.timedelta(days=3650):
            raise forms.ValidationError("Pick a date within the last ten years.")
        return day
