import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.utils import timezone

from accounts.forms import one_line
from accounts.models import Office, Role, User
from accounts.widgets import CachedMenu, QuickSelect

from . import search
from .models import (
    Client,
    ExitInterview,
    FeedbackResponse,
    LearningCheck,
    LossReason,
    SaveAttempt,
    ServiceLine,
    Suggestion,
)

LONG_TEXT = (
    10_000  # characters in one free-text answer; a long interview fits, a paste of a book not
)
PUBLIC_TEXT = 4_000
SUGGESTION_TEXT = 2_000
ACTED_ON_SCALE = [
    (1, "1 · Not at all"),
    (2, "2"),
    (3, "3 · Somewhat"),
    (4, "4"),
    (5, "5 · Completely"),
]
CSV_MAX_BYTES = 1_000_000
CSV_MAX_ROWS = 5_000


def _not_in_future(value: dt.date | None) -> None:
    if value and value > timezone.localdate():
        raise ValidationError("This date is in the future; use today or an earlier date.")


def people_with_role(role: Role):
    # One group name, so the join gives each person once: no DISTINCT needed.
    return User.objects.filter(is_active=True, groups__name=role.value)


class UserChoiceField(forms.ModelChoiceField):
    widget = QuickSelect

    def label_from_instance(self, obj: User) -> str:
        return obj.name


# The client list's menus are read on every visit: they are kept until people, roles, offices
# or service lines change (accounts.caching), and a submitted choice is checked against the
# database.


def _account_manager_menu() -> list[tuple[str, str]]:
    people = people_with_role(Role.ACCOUNT_MANAGER).only(*User.NAME_FIELDS)
    return [("", "Any account manager"), *((str(user.pk), user.name) for user in people)]


def _service_line_menu() -> list[tuple[str, str]]:
    return [
        ("", "Any service line"),
        *((str(line.pk), line.name) for line in ServiceLine.objects.all()),
    ]


def _office_menu() -> list[tuple[str, str]]:
    return [("", "Any office"), *((str(office.pk), office.name) for office in Office.objects.all())]


class ClientFilterForm(forms.Form):
    """The client list's filters, rendered field by field in the template (a list page is
    rendered on every visit, so it skips crispy's templates)."""

    q = forms.CharField(
        label="Search by name",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control", "type": "search"}),
    )
    status = forms.ChoiceField(
        required=False,
        choices=[("", "Any status"), *Client.Status.choices],
        widget=QuickSelect(attrs={"class": "form-select"}),
    )
    service_line = forms.ModelChoiceField(
        queryset=ServiceLine.objects.all(),
        required=False,
        widget=CachedMenu(
            key="service-lines",
            menu=_service_line_menu,
            of=("reference",),
            attrs={"class": "form-select"},
        ),
    )
    office = forms.ModelChoiceField(
        queryset=Office.objects.all(),
        required=False,
        widget=CachedMenu(
            key="offices",
            menu=_office_menu,
            of=("reference",),
            attrs={"class": "form-select"},
        ),
    )
    account_manager = UserChoiceField(
        queryset=people_with_role(Role.ACCOUNT_MANAGER),
        required=False,
        empty_label="Any account manager",
        widget=CachedMenu(
            key="account-managers",
            menu=_account_manager_menu,
            of=("reference",),
            attrs={"class": "form-select"},
        ),
    )

    def filter(self, clients):
        if not self.is_valid():
            return clients
        data = self.cleaned_data
        if data["q"]:
            clients = clients.filter(name__icontains=data["q"])
        if data["status"]:
            clients = clients.filter(status=data["status"])
        if data["service_line"]:
            clients = clients.filter(service_lines=data["service_line"])
        if data["office"]:
            clients = clients.filter(office=data["office"])
        if data["account_manager"]:
            clients = clients.filter(account_manager=data["account_manager"])
        return clients


def _reason_menu() -> list[tuple[str, str]]:
    return [
        ("", "Any reason"),
        *((str(reason.pk), reason.name) for reason in LossReason.objects.only("name")),
    ]


class InterviewFilterForm(forms.Form):
    """The exit-interview list's search and filters, read from the query string so that a
    search can be shared; every value is optional and checked."""

    YES_NO = [("", "Any"), ("yes", "Yes"), ("no", "No")]

    q = forms.CharField(
        label="Search what was said",
        required=False,
        max_length=200,
        help_text='Words from the client or the team; "exact phrase", -leave out.',
        widget=forms.TextInput(attrs={"type": "search", "aria-describedby": "id_q_help"}),
    )
    held_from = forms.DateField(
        label="Held from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    held_to = forms.DateField(
        label="Held until", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.ModelChoiceField(
        label="Client's main reason",
        queryset=LossReason.objects.all(),
        required=False,
        widget=CachedMenu(key="loss-reasons", menu=_reason_menu, of=("reference",)),
    )
    controllable = forms.ChoiceField(
        label="Controllable reason", choices=YES_NO, required=False, widget=QuickSelect
    )
    service_line = forms.ModelChoiceField(
        queryset=ServiceLine.objects.all(),
        required=False,
        widget=CachedMenu(key="service-lines", menu=_service_line_menu, of=("reference",)),
    )
    office = forms.ModelChoiceField(
        queryset=Office.objects.all(),
        required=False,
        widget=CachedMenu(key="offices", menu=_office_menu, of=("reference",)),
    )
    account_manager = UserChoiceField(
        queryset=people_with_role(Role.ACCOUNT_MANAGER),
        required=False,
        empty_label="Any account manager",
        widget=CachedMenu(key="account-managers", menu=_account_manager_menu, of=("reference",)),
    )
    status = forms.ChoiceField(
        choices=[("", "Any status"), *ExitInterview.Status.choices],
        required=False,
        widget=QuickSelect,
    )
    restricted = forms.ChoiceField(choices=YES_NO, required=False, widget=QuickSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("held_from"), cleaned.get("held_to")
        if start and end and start > end:
            self.add_error("held_to", "The end of the period is before its start.")
        return cleaned

    def _valid(self) -> dict:
        """The values that passed their checks; a wrong one is left out (its message shows
        next to its field) rather than hiding every other filter."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return self.cleaned_data

    @property
    def search(self) -> str:
        """The words searched for."""
        return (self._valid().get("q") or "").strip()

    def filter(self, interviews):
        """The interviews that pass every filter; the search is feedback.search's."""
        data = self._valid()
        if data.get("held_from"):
            interviews = interviews.filter(held_on__gte=data["held_from"])
        if data.get("held_to"):
            interviews = interviews.filter(held_on__lte=data["held_to"])
        if data.get("reason"):
            interviews = interviews.filter(client_primary_reason=data["reason"])
        if data.get("controllable"):
            controllable = data["controllable"] == "yes"
            interviews = interviews.filter(client_primary_reason__controllable=controllable)
        if data.get("service_line"):
            interviews = interviews.filter(client__service_lines=data["service_line"])
        if data.get("office"):
            interviews = interviews.filter(client__office=data["office"])
        if data.get("account_manager"):
            interviews = interviews.filter(client__account_manager=data["account_manager"])
        if data.get("status"):
            interviews = interviews.filter(status=data["status"])
        if data.get("restricted"):
            interviews = interviews.filter(restricted=data["restricted"] == "yes")
        return interviews

    def readable_by(self, user: User):
        """The interviews `user` may read that pass the filters and the search, unordered; the
        list page, its export and the API all ask this. Visibility comes last, so that each way
        in to what the person may read is narrowed by the search (its index) first."""
        interviews = search.matching(self.filter(ExitInterview.objects.all()), self.search)
        return interviews.visible_to(user)


class ClientForm(forms.ModelForm):
    relationship_partner = UserChoiceField(queryset=people_with_role(Role.PARTNER), required=False)
    account_manager = UserChoiceField(
        queryset=people_with_role(Role.ACCOUNT_MANAGER), required=False
    )

    class Meta:
        model = Client
        fields = [
            "name",
            "service_lines",
            "industry",
            "size_band",
            "annual_fees",
            "office",
            "relationship_partner",
            "account_manager",
            "status",
            "client_since",
            "lost_on",
            "contact_name",
            "contact_email",
        ]
        widgets = {
            "service_lines": forms.CheckboxSelectMultiple,
            "client_since": forms.DateInput(attrs={"type": "date"}),
            "lost_on": forms.DateInput(attrs={"type": "date"}),
        }
        help_texts = {
            "annual_fees": "In dollars, before any discount.",
            "contact_email": "Where the feedback link is e-mailed from the client's page.",
        }

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].validators.append(one_line)
        self.instance.changed_by = user
        # Only partners hand a client to another account manager; an account manager's own
        # clients stay theirs, so they cannot lose sight of a client by mistake.
        if not user.is_partner:
            self.fields["account_manager"].disabled = True
            if self.instance.pk is None:
                self.initial["account_manager"] = user.pk

    def clean_client_since(self):
        value = self.cleaned_data["client_since"]
        _not_in_future(value)
        return value

    def clean_lost_on(self):
        value = self.cleaned_data["lost_on"]
        _not_in_future(value)
        return value

    def save(self, commit=True):
        # A client added by an account manager is theirs, whatever was sent (page or API).
        if self.instance.pk is None and not self.instance.changed_by.is_partner:
            self.instance.account_manager = self.instance.changed_by
        return super().save(commit)


class ClientImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text=(
            "UTF-8 CSV with a header row: name, industry, size_band, annual_fees, office, "
            "relationship_partner, account_manager, status, client_since, lost_on, service_lines "
            "(separate several with ;). Only name is required. Max 1 MB."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > CSV_MAX_BYTES:
            raise ValidationError("The file is larger than 1 MB; split it into smaller files.")
        return upload


class ServiceLineNamesField(forms.ModelMultipleChoiceField):
    """Service lines named in one CSV cell, separated by ";", in any case."""

    widget = forms.TextInput

    def __init__(self, **kwargs):
        super().__init__(queryset=ServiceLine.objects.all(), required=False, **kwargs)

    def clean(self, value) -> list[ServiceLine]:
        names = [n.strip() for n in (value or "").split(";") if n.strip()]
        lines = {line.name.lower(): line for line in self.queryset}
        unknown = [n for n in names if n.lower() not in lines]
        if unknown:
            raise ValidationError(f"Unknown service line: {', '.join(unknown)}.")
        return [lines[n.lower()] for n in names]


class ClientRowForm(ClientForm):
    """One row of a client import: the client form with all its rules, reading the CSV's text
    (an office by name, people by username, service lines by name)."""

    office = forms.ModelChoiceField(
        queryset=Office.objects.all(),
        required=False,
        to_field_name="name",
        error_messages={"invalid_choice": "There is no office with this name."},
    )
    relationship_partner = forms.ModelChoiceField(
        queryset=people_with_role(Role.PARTNER),
        required=False,
        to_field_name="username",
        error_messages={"invalid_choice": "No partner who still works here has this username."},
    )
    account_manager = forms.ModelChoiceField(
        queryset=people_with_role(Role.ACCOUNT_MANAGER),
        required=False,
        to_field_name="username",
        error_messages={
            "invalid_choice": "No account manager who still works here has this username."
        },
    )
    service_lines = ServiceLineNamesField()

    @staticmethod
    def values_of(client: Client) -> dict[str, str]:
        """A client as a row of the file shows it."""
        return {
            "name": client.name,
            "industry": client.industry,
            "size_band": client.size_band,
            "annual_fees": str(client.annual_fees),
            "office": client.office.name if client.office_id else "",
            "relationship_partner": client.relationship_partner.username
            if client.relationship_partner_id
            else "",
            "account_manager": client.account_manager.username if client.account_manager_id else "",
            "status": client.status,
            "client_since": client.client_since.isoformat() if client.client_since else "",
            "lost_on": client.lost_on.isoformat() if client.lost_on else "",
            "service_lines": ";".join(line.name for line in client.service_lines.all())
            if client.pk
            else "",
            "contact_name": client.contact_name,
            "contact_email": client.contact_email,
        }

    @classmethod
    def for_row(cls, row: dict[str, str], *, client: Client | None, user: User) -> "ClientRowForm":
        """The form for one row: the client as it is (a new one with the model's defaults), and
        each non-empty cell over it, so the form's rules see the client the row would leave. An
        existing client keeps its name as stored."""
        client = client or Client()
        data = cls.values_of(client)
        data.update({column: value for column, value in row.items() if value})
        if client.pk:
            data["name"] = client.name
        return cls(data=data, instance=client, user=user)


class InterviewForm(forms.ModelForm):
    """The exit interview. The client's words and the team's hypothesis are separate fields in
    separate sections of the page, so one is never mistaken for the other."""

    TEXT_FIELDS = [
        "client_words",
        "team_hypothesis",
        "did_well",
        "do_better",
    ]

    mark_client_lost = forms.BooleanField(
        required=False,
        initial=True,
        label="When finalising, mark the client as lost",
        help_text="Untick if the client stays (for example an interview after a near miss).",
    )
    client_lost_on = forms.DateField(
        required=False,
        label="Client lost on",
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[_not_in_future],
    )

    class Meta:
        model = ExitInterview
        fields = [
            "held_on",
            "channel",
            "interviewee_name",
            "interviewee_role",
            "client_words",
            "client_primary_reason",
            "client_other_reasons",
            "did_well",
            "do_better",
            "would_return",
            "recommend_score",
            "competitor",
            "team_hypothesis",
            "team_reason",
            "fees_lost",
            "restricted",
        ]
        labels = {
            "held_on": "Date of the interview",
            "interviewee_name": "Who we spoke to",
            "interviewee_role": "Their role",
            "client_words": "What the client said, in their own words",
            "client_primary_reason": "The client's main reason for leaving",
            "client_other_reasons": "Other reasons the client gave",
            "did_well": "What they say we did well",
            "do_better": "What they say we should have done better",
            "would_return": "Would they come back?",
            "recommend_score": "How likely are they to recommend us? (0–10)",
            "competitor": "Where they went (optional)",
            "team_hypothesis": "Our hypothesis: why we think we lost them",
            "team_reason": "The reason we think it was",
            "fees_lost": "Annual fees lost ($)",
            "restricted": "Restricted: only me and the partners can open it",
        }
        help_texts = {
            "client_words": "Quote them. Don't summarise, soften or explain.",
            "team_hypothesis": (
                "A hypothesis, not a fact. Describe the situation, not who is to blame."
            ),
            "restricted": "Use it for sensitive matters, such as complaints about a person.",
        }
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}),
            "client_other_reasons": forms.CheckboxSelectMultiple,
            "client_words": forms.Textarea(attrs={"rows": 6}),
            "did_well": forms.Textarea(attrs={"rows": 3}),
            "do_better": forms.Textarea(attrs={"rows": 3}),
            "team_hypothesis": forms.Textarea(attrs={"rows": 4}),
            "recommend_score": forms.NumberInput(
                attrs={"min": 0, "max": 10, "inputmode": "numeric"}
            ),
            "fees_lost": forms.NumberInput(
                attrs={"min": 0, "step": "0.01", "inputmode": "decimal"}
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        reasons = LossReason.objects.filter(active=True)
        for name in ("client_primary_reason", "client_other_reasons", "team_reason"):
            self.fields[name].queryset = reasons
        for name in self.TEXT_FIELDS:
            self.fields[name].validators.append(MaxLengthValidator(LONG_TEXT))
            self.fields[name].widget.attrs["maxlength"] = LONG_TEXT
        self.fields["held_on"].validators.append(_not_in_future)
        self.fields["recommend_score"].validators += [MinValueValidator(0), MaxValueValidator(10)]
        if not self.initial.get("client_lost_on"):
            self.initial["client_lost_on"] = timezone.localdate()

    def clean(self):
        data = super().clean()
        primary = data.get("client_primary_reason")
        others = data.get("client_other_reasons")
        if primary and others and primary in others:
            data["client_other_reasons"] = [r for r in others if r != primary]
        return data

    def check_ready_to_finalise(self) -> bool:
        """A final interview needs the client's own words and their main reason."""
        if not self.cleaned_data.get("client_words", "").strip():
            self.add_error("client_words", "Write down what the client said before finalising.")
        if not self.cleaned_data.get("client_primary_reason"):
            self.add_error("client_primary_reason", "Pick the client's main reason to finalise.")
        return not self.errors


class FinaliseForm(forms.Form):
    mark_client_lost = forms.BooleanField(
        required=False, initial=True, label="Also mark the client as lost"
    )
    client_lost_on = forms.DateField(
        required=False,
        label="Lost on",
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[_not_in_future],
    )


class PublicFeedbackForm(forms.ModelForm):
    # A field people never see; bots fill it in.
    website = forms.CharField(required=False, label="Leave this empty", max_length=200)

    class Meta:
        model = FeedbackResponse
        fields = [
            "doing_right",
            "do_better",
            "rating",
            "contact_name",
            "contact_email",
            "contact_consent",
        ]
        labels = {
            "doing_right": "What are we doing right?",
            "do_better": "What should we do better?",
            "rating": "How likely are you to recommend us to a colleague? (0–10, optional)",
            "contact_name": "Your name (optional)",
            "contact_email": "Your e-mail (optional)",
            "contact_consent": "You may contact me about this feedback",
        }
        widgets = {
            "doing_right": forms.Textarea(attrs={"rows": 4}),
            "do_better": forms.Textarea(attrs={"rows": 4}),
            "rating": forms.NumberInput(attrs={"min": 0, "max": 10, "inputmode": "numeric"}),
        }

    def __init__(self, *args, heard_back: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("doing_right", "do_better"):
            self.fields[name].validators.append(MaxLengthValidator(PUBLIC_TEXT))
            self.fields[name].widget.attrs["maxlength"] = PUBLIC_TEXT
        self.fields["rating"].validators += [MinValueValidator(0), MaxValueValidator(10)]
        # Only a client who already had a "you said, we did" reply is asked this; for anyone
        # else the field does not exist, so a posted value is ignored.
        if heard_back:
            self.fields["acted_on"] = forms.TypedChoiceField(
                label="Do you feel we acted on what you told us? (optional)",
                choices=ACTED_ON_SCALE,
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": "Choose a number from 1 to 5."},
            )

    def clean(self):
        data = super().clean()
        answered = (
            data.get("doing_right", "").strip()
            or data.get("do_better", "").strip()
            or data.get("acted_on") is not None
        )
        text_errors = "doing_right" in self.errors or "do_better" in self.errors
        if not answered and not text_errors:
            raise ValidationError("Please answer at least one of the two questions.")
        has_contact = data.get("contact_name") or data.get("contact_email")
        if has_contact and not data.get("contact_consent"):
            self.add_error(
                "contact_consent",
                "Tick this box if we may contact you, or leave your name and e-mail empty.",
            )
        return data


class TriageForm(forms.ModelForm):
    handled = forms.BooleanField(required=False, label="Handled")

    class Meta:
        model = FeedbackResponse
        fields = ["reason", "linked_action"]
        labels = {"reason": "Reason", "linked_action": "Linked action"}

    def __init__(self, *args, actions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].queryset = LossReason.objects.filter(active=True)
        self.fields["linked_action"].queryset = actions
        self.fields["handled"].initial = self.instance.triage == FeedbackResponse.Triage.HANDLED


class FeedbackActionForm(forms.Form):
    title = forms.CharField(max_length=200, label="New action", validators=[one_line])
    owner = UserChoiceField(queryset=User.objects.filter(is_active=True))
    due_on = forms.DateField(label="Due", widget=forms.DateInput(attrs={"type": "date"}))

    def clean_due_on(self):
        value = self.cleaned_data["due_on"]
        if value < timezone.localdate():
            raise ValidationError("The due date is in the past.")
        return value


class ReplyForm(forms.Form):
    text = forms.CharField(
        label="Your reply", max_length=PUBLIC_TEXT, widget=forms.Textarea(attrs={"rows": 8})
    )


class LearningCheckForm(forms.ModelForm):
    SCALE = [
        (1, "1 · Strongly disagree"),
        (2, "2 · Disagree"),
        (3, "3 · Neither"),
        (4, "4 · Agree"),
        (5, "5 · Strongly agree"),
    ]

    class Meta:
        model = LearningCheck
        fields = ["item1", "item2", "item3", "item4", "item5"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i, statement in enumerate(LearningCheck.ITEMS, start=1):
            self.fields[f"item{i}"] = forms.TypedChoiceField(
                label=f"{i}. {statement}",
                choices=self.SCALE,
                coerce=int,
                widget=forms.RadioSelect,
            )


class FirstContactForm(forms.Form):
    contacted_on = forms.DateField(
        label="Date of the first contact", widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(
        label="What you and the client said",
        max_length=PUBLIC_TEXT,
        error_messages={"required": "Write down what was said, so partners can follow."},
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": PUBLIC_TEXT}),
    )

    def __init__(self, *args, attempt: SaveAttempt, **kwargs):
        super().__init__(*args, **kwargs)
        self.attempt = attempt

    def clean_contacted_on(self):
        value = self.cleaned_data["contacted_on"]
        _not_in_future(value)
        opened = timezone.localdate(self.attempt.opened_at)
        if value < opened:
            raise ValidationError(
                f"The save attempt opened on {opened:%d %b %Y}; pick that day or later."
            )
        return value


class CloseSaveForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=[
            (SaveAttempt.Status.SAVED, "Saved: the client stays"),
            (SaveAttempt.Status.LOST, "Lost: the client leaves"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose saved or lost."},
    )
    note = forms.CharField(
        label="What decided it",
        max_length=PUBLIC_TEXT,
        error_messages={"required": "Say in a sentence what decided it."},
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": PUBLIC_TEXT}),
    )


class SuggestionForm(forms.Form):
    text = forms.CharField(
        label="Your suggestion",
        max_length=SUGGESTION_TEXT,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": SUGGESTION_TEXT}),
        help_text="What could we do better, and what difference would it make?",
        error_messages={"required": "Write your suggestion first."},
    )
    anonymous = forms.TypedChoiceField(
        label="Send it",
        choices=[
            ("1", "Anonymously: nobody, partners included, can see it came from you"),
            ("0", "With my name, so we can ask you about it"),
        ],
        coerce=lambda value: value == "1",
        initial="1",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose anonymously or with your name."},
    )


class SuggestionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Suggestion) -> str:
        text = " ".join(obj.text.split())
        return (
            f"#{obj.pk} · {text[:70]}{'…' if len(text) > 70 else ''} ({obj.get_status_display()})"
        )


class SuggestionAcceptForm(forms.Form):
    title = forms.CharField(max_length=200, label="Action", validators=[one_line])
    owner = UserChoiceField(queryset=User.objects.filter(is_active=True), label="Owner")
    due_on = forms.DateField(label="Due", widget=forms.DateInput(attrs={"type": "date"}))
    answer = forms.CharField(
        label="Answer to the suggester (optional)",
        required=False,
        max_length=SUGGESTION_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_due_on(self):
        value = self.cleaned_data["due_on"]
        if value < timezone.localdate():
            raise ValidationError("The due date is in the past.")
        return value


class SuggestionDeclineForm(forms.Form):
    reason = forms.CharField(
        label="Why not (the suggester reads this)",
        max_length=SUGGESTION_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why, so the person who suggested it hears back."},
    )


class SuggestionMergeForm(forms.Form):
    into = SuggestionChoiceField(
        queryset=Suggestion.objects.none(),
        label="Same idea as",
        error_messages={"invalid_choice": "Choose a suggestion from the list."},
    )
    note = forms.CharField(
        label="Note to the suggester (optional)",
        required=False,
        max_length=SUGGESTION_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, suggestion: Suggestion, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = (
            Suggestion.objects.exclude(pk=suggestion.pk)
            .exclude(status=Suggestion.Status.MERGED)
            .order_by("-submitted_on", "-id")
        )


# The word in an account manager's message that becomes the client's feedback link when it is sent.
LINK_PLACEHOLDER = "{link}"


class FeedbackLinkEmailForm(forms.Form):
    """The e-mail carrying a client's feedback link, as the account manager edits it."""

    to = forms.EmailField(label="To", max_length=254)
    subject = forms.CharField(max_length=200, validators=[one_line])
    body = forms.CharField(
        label="Message", max_length=5000, widget=forms.Textarea(attrs={"rows": 12})
    )
    remember_contact = forms.BooleanField(
        label="Keep this address as the client's contact", required=False
    )

    def __init__(self, *args, client: Client, **kwargs):
        super().__init__(*args, **kwargs)
        if client.contact_email:
            self.fields[
                "remember_contact"
            ].label = "Replace the client's contact address with this one"

    def clean_body(self):
        body = self.cleaned_data["body"]
        if LINK_PLACEHOLDER not in body:
            raise ValidationError(
                f"Keep {LINK_PLACEHOLDER} in the message: it becomes the client's feedback link."
            )
        return body
