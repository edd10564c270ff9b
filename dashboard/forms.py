import datetime as dt
from decimal import Decimal

from crispy_forms.helper import FormHelper
from django import forms
from django.core.validators import MinValueValidator
from django.utils import timezone

from accounts.forms import one_line
from accounts.models import Office
from feedback.models import ServiceLine

from . import queries, services
from .models import Goal

EARLIEST = dt.date(2000, 1, 1)


class FilterForm(forms.Form):
    """The dashboard filters, read from the query string so that a view can be shared."""

    PERIODS = [
        ("12m", "Last 12 months"),
        ("quarter", "This quarter"),
        ("last_quarter", "Last quarter"),
        ("custom", "Custom dates"),
    ]

    period = forms.ChoiceField(choices=PERIODS, required=False, initial="12m")
    start = forms.DateField(
        label="From",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Custom period only.",
    )
    end = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    service_line = forms.ModelChoiceField(
        queryset=ServiceLine.objects.all(),
        required=False,
        empty_label="All service lines",
        error_messages={"invalid_choice": "There is no such service line; showing all."},
    )
    office = forms.ModelChoiceField(
        queryset=Office.objects.all(),
        required=False,
        empty_label="All offices",
        error_messages={"invalid_choice": "There is no such office; showing all."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-control" if isinstance(field, forms.DateField) else "form-select"
            field.widget.attrs["class"] = f"{css} {css}-sm"

    def clean(self):
        data = super().clean()
        if data.get("period") != "custom":
            return data
        start, end, today = data.get("start"), data.get("end"), timezone.localdate()
        if "start" not in self.errors and start is None:
            self.add_error("start", "Choose the first day of the custom period.")
        if "end" not in self.errors and end is None:
            self.add_error("end", "Choose the last day of the custom period.")
        if start and start < EARLIEST:
            self.add_error("start", f"Choose a date from {EARLIEST:%Y} on.")
        if end and end > today:
            self.add_error("end", "The period cannot end in the future.")
        if start and end and start > end:
            self.add_error("end", "The end comes before the start.")
        return data

    def filters(self, today: dt.date | None = None) -> queries.Filters:
        """The filters asked for; a field with an error falls back to its default."""
        today = today or timezone.localdate()
        data = self.cleaned_data if self.is_bound else {}
        period = data.get("period") or "12m"
        start, end = services.twelve_months_before(today), today
        if period == "quarter":
            start = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        elif period == "last_quarter":
            this_quarter = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
            end = this_quarter - dt.timedelta(days=1)
            start = dt.date(end.year, end.month - 2, 1)
        elif period == "custom" and not {"start", "end"} & set(self.errors):
            start, end = data["start"], data["end"]
        service_line = data.get("service_line")
        office = data.get("office")
        return queries.Filters(
            start=start,
            end=end,
            today=today,
            service_line_id=service_line.pk if service_line else None,
            office_id=office.pk if office else None,
        )


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# A goal is for a fixed window: long enough to change something, short enough to stay in view.
GOAL_LONGEST = dt.timedelta(days=366)
GOAL_SHORTEST = dt.timedelta(days=14)
RATING_MAX = Decimal(10)


def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


class GoalForm(forms.ModelForm):
    """Set a team goal. Every rule has its message next to the field it is about."""

    class Meta:
        model = Goal
        fields = [
            "title",
            "office",
            "measure",
            "manual_label",
            "starts_on",
            "ends_on",
            "baseline",
            "target",
        ]
        labels = {
            "title": "Goal",
            "office": "For",
            "measure": "Measured by",
            "manual_label": "What the number counts (for a number kept by hand)",
            "starts_on": "Starts on",
            "ends_on": "Ends on",
            "baseline": "Baseline (where we are now)",
            "target": "Target (where we want to be at the end)",
        }
        help_texts = {
            "office": "The whole firm, or one office as the team.",
            "title": "Ambitious and plain: “Halve controllable losses”, “Every key client has a "
            "named backup partner”.",
            "manual_label": "For example “key clients with a named backup partner”.",
            "baseline": "For counts and fees: the total over a window of the same length just "
            "before the start.",
            "target": "For counts and fees: the total for the whole window. A target below the "
            "baseline is a limit not to go over.",
        }
        widgets = {"starts_on": DATE, "ends_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()
        self.fields["office"].empty_label = "The whole firm"
        self.fields["office"].required = False
        self.fields["manual_label"].required = False
        for name in ("baseline", "target"):
            self.fields[name].validators.append(MinValueValidator(Decimal(0)))
            self.fields[name].widget.attrs["min"] = "0"

    def clean_title(self) -> str:
        title = self.cleaned_data["title"].strip()
        one_line(title)
        if len(title) < 5:
            raise forms.ValidationError("Say the goal in a few words.")
        return title

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        measure = data.get("measure")
        if starts_on and starts_on < today - GOAL_LONGEST:
            self.add_error("starts_on", "Choose a start within the last year.")
        if starts_on and starts_on > today + GOAL_LONGEST:
            self.add_error("starts_on", "Choose a start within the next year.")
        if starts_on and ends_on:
            if ends_on <= starts_on:
                self.add_error("ends_on", "The goal must end after it starts.")
            elif ends_on - starts_on < GOAL_SHORTEST:
                self.add_error("ends_on", "Give the goal at least two weeks.")
            elif ends_on - starts_on > GOAL_LONGEST:
                self.add_error("ends_on", "Keep the window to a year at most.")
        if ends_on and ends_on < today and "ends_on" not in self.errors:
            self.add_error("ends_on", "This date has passed; a new goal needs a window ahead.")
        baseline, target = data.get("baseline"), data.get("target")
        if baseline is not None and target is not None and baseline == target:
            self.add_error("target", "The target must differ from the baseline.")
        if measure == Goal.Measure.FEEDBACK_RATING:
            for name in ("baseline", "target"):
                if data.get(name) is not None and data[name] > RATING_MAX:
                    self.add_error(name, "Ratings go from 0 to 10.")
        if measure == Goal.Measure.MANUAL:
            data["manual_label"] = (data.get("manual_label") or "").strip()
            if not data["manual_label"]:
                self.add_error("manual_label", "Say what the number counts.")
        if (
            measure in Goal.CUMULATIVE
            and measure != Goal.Measure.FEES_LOST
            and target is not None
            and target != target.to_integral_value()
        ):
            self.add_error("target", "This measure counts whole things; use a whole number.")
        if "office" not in self.errors:
            office = data.get("office")
            taken = Goal.objects.filter(status=Goal.Status.ACTIVE, office=office).exists()
            if taken:
                self.add_error("office", services.scope_taken_message(office))
        return data


class GoalValueForm(forms.Form):
    value = forms.DecimalField(
        label="Value today",
        min_value=Decimal(0),
        max_digits=14,
        decimal_places=2,
        error_messages={"required": "Enter today's number."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()
