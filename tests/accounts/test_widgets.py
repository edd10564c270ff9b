"""QuickSelect writes the same markup as Django's Select, only faster."""

import datetime as dt
import re

import pytest
from django import forms
from django.test.html import parse_html
from django.utils import timezone

from accounts.widgets import QuickSelect, QuickSelectMultiple
from actions.forms import ActionForm
from feedback.forms import ClientFilterForm
from tests.factories import ClientFactory

CHOICES = [
    ("", "Anyone"),
    (1, "Ann <b>&amp;</b>"),
    (2, 'Zoë "Z"'),
    ("Team", [(3, "Bo"), (4, "Cy")]),
]
ATTRS = {"id": "id_owner", "class": "form-select", "required": True, "aria-invalid": "true"}


@pytest.mark.parametrize(
    ("quick", "django_widget", "value"),
    [
        (QuickSelect, forms.Select, 2),
        (QuickSelect, forms.Select, None),
        (QuickSelect, forms.Select, 4),
        (QuickSelectMultiple, forms.SelectMultiple, [1, 3]),
    ],
)
def test_quick_select_renders_what_djangos_select_renders(quick, django_widget, value):
    ours = quick(choices=CHOICES).render("owner", value, attrs=ATTRS)
    theirs = django_widget(choices=CHOICES).render("owner", value, attrs=ATTRS)
    assert parse_html(ours) == parse_html(theirs)


def test_quick_select_escapes_labels_and_values():
    html = QuickSelect(choices=[('"><script>', "<script>alert(1)</script>")]).render("x", None)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_model_choice_field_renders_its_people_with_it(alice, bob):
    html = str(ClientFilterForm({"account_manager": bob.pk})["account_manager"])
    assert parse_html(f'<option value="{bob.pk}" selected>{bob.name}</option>') in parse_html(html)
    assert f'<option value="{alice.pk}">' in html


def test_a_search_select_renders_only_the_chosen_and_the_first_few(pat):
    clients = [ClientFactory(name=f"Client {n:03}") for n in range(30)]
    chosen = clients[-1]
    form = ActionForm(user=pat, initial={"client": chosen.pk})
    html = str(form["client"])
    values = [int(v) for v in _option_values(html)]
    assert values[0] == chosen.pk  # the chosen one first, selected
    assert f'<option value="{chosen.pk}" selected>' in html
    assert len(values) == 1 + 20
    assert 'hx-get="/clients/options/"' in html
    assert "&quot;field&quot;: &quot;client&quot;" in html


def test_a_search_select_accepts_any_allowed_choice_not_only_those_shown(pat):
    clients = [ClientFactory(name=f"Client {n:03}") for n in range(30)]
    form = ActionForm(
        {
            "title": "Call them",
            "owner": pat.pk,
            "due_on": timezone.localdate() + dt.timedelta(days=3),
            "priority": "normal",
            "client": clients[-1].pk,
        },
        user=pat,
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["client"] == clients[-1]


def _option_values(html: str) -> list[str]:

    return [v for v in re.findall(r'<option value="([^"]*)"', html) if v]
