"""A posted id too large for the column is "not a valid choice", never a server error."""

import pytest
from django import forms

from accounts.models import Office
from feedback.models import ServiceLine

pytestmark = pytest.mark.django_db
HUGE = 2**70


def test_in_leaves_out_ids_the_column_cannot_hold():
    office = Office.objects.create(name="Boston")
    assert list(Office.objects.filter(pk__in=[office.pk, HUGE, -HUGE])) == [office]
    assert list(Office.objects.filter(pk__in=[HUGE])) == []
    assert Office.objects.exclude(pk__in=[HUGE]).count() == 1


def test_a_multiple_choice_form_field_refuses_a_huge_id_with_a_message():
    ServiceLine.objects.create(name="Tax")
    field = forms.ModelMultipleChoiceField(queryset=ServiceLine.objects.all())
    with pytest.raises(forms.ValidationError) as refused:
        field.clean([str(HUGE)])
    assert "not one of the available choices" in str(refused.value)
