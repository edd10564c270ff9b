import datetime as dt

from django import forms
from django.utils import timezone

from accounts.models import Office
from feedback.models import ServiceLine

from . import queries, services

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
