import pytest
import time_machine
from django.urls import reverse

from feedback.models import LearningCheck
from tests.factories import LearningCheckFactory

pytestmark = pytest.mark.django_db

URL = reverse("feedback:learning_check")
ANSWERS = {f"item{i}": str(i) for i in range(1, 6)}


@time_machine.travel("2026-11-20 12:00 -0500")
def test_the_learning_check_records_this_quarters_answers(client, sam):
    client.force_login(sam)
    page = client.get(URL).content.decode()
    assert "Learning check, 2026Q4" in page
    assert "We share what we learn from serving clients with other departments." in page
    client.post(URL, ANSWERS)
    check = LearningCheck.objects.get()
    assert (check.respondent, check.quarter) == (sam, "2026Q4")
    assert [check.item1, check.item5] == [1, 5]


@time_machine.travel("2026-11-20 12:00 -0500")
def test_the_learning_check_takes_one_answer_per_quarter(client, sam):
    LearningCheckFactory(respondent=sam, quarter="2026Q4", item3=4)
    LearningCheckFactory(respondent=sam, quarter="2026Q3", item3=2)
    client.force_login(sam)
    response = client.get(URL)
    assert "You have answered this quarter" in response.content.decode()
    assert [c.quarter for c, _ in response.context["previous"]] == ["2026Q4", "2026Q3"]
    client.post(URL, {f"item{i}": "1" for i in range(1, 6)})
    assert LearningCheck.objects.get(quarter="2026Q4").item3 == 4


@time_machine.travel("2027-01-02 12:00 -0500")
def test_a_new_quarter_opens_a_new_check(client, sam):
    LearningCheckFactory(respondent=sam, quarter="2026Q4")
    client.force_login(sam)
    client.post(URL, ANSWERS)
    assert LearningCheck.objects.filter(respondent=sam, quarter="2027Q1").exists()


@pytest.mark.parametrize(
    "answers",
    [{}, {**ANSWERS, "item2": "6"}, {**ANSWERS, "item4": "0"}, {**ANSWERS, "item1": "a"}],
)
def test_the_learning_check_requires_five_answers_from_1_to_5(client, sam, answers):
    client.force_login(sam)
    response = client.post(URL, answers)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not LearningCheck.objects.exists()


def test_the_learning_check_keeps_answers_given_when_one_is_missing(client, sam):
    client.force_login(sam)
    response = client.post(URL, {**ANSWERS, "item5": ""})
    assert response.context["form"]["item1"].value() == "1"
