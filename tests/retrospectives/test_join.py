import pytest
from django.urls import reverse

from retrospectives.models import Participant, Review
from tests.factories import ReviewFactory

pytestmark = pytest.mark.django_db


def test_the_join_page_explains_anonymity_before_joining(client, bob, live_review):
    client.force_login(bob)
    page = client.get(reverse("retrospectives:join", args=[live_review.join_code])).content.decode()
    assert "nobody in the app sees that you wrote it" in page
    assert "a partner can deal with abuse" in page
    assert not Participant.objects.filter(user=bob).exists()


def test_joining_creates_a_participant_and_shows_the_board(client, bob, live_review):
    client.force_login(bob)
    url = reverse("retrospectives:join", args=[live_review.join_code])
    response = client.post(url)
    assert response.status_code == 302
    assert Participant.objects.filter(review=live_review, user=bob).exists()
    page = client.get(url).content.decode()
    assert "What actually happened?" in page
    # Joining makes the review visible to the new participant.
    detail = reverse("retrospectives:review_detail", args=[live_review.pk])
    assert client.get(detail).status_code == 200


def test_joining_twice_keeps_one_participant(client, alice, live_review):
    client.force_login(alice)
    url = reverse("retrospectives:join", args=[live_review.join_code])
    client.post(url)
    client.post(url)
    assert Participant.objects.filter(review=live_review, user=alice).count() == 1


def test_the_code_is_forgiving_about_case(client, alice, live_review):
    client.force_login(alice)
    response = client.get(reverse("retrospectives:join", args=[live_review.join_code.lower()]))
    assert response.status_code == 200
    assert "Your note" in response.content.decode()


def test_a_wrong_code_gets_a_clear_message(client, sam):
    client.force_login(sam)
    response = client.get(reverse("retrospectives:join", args=["NOPE42"]))
    assert response.status_code == 404
    assert "No review has the code" in response.content.decode()


def test_the_code_form_leads_to_the_review(client, sam, live_review):
    client.force_login(sam)
    response = client.get(
        reverse("retrospectives:join_code"), {"code": " " + live_review.join_code.lower()}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("retrospectives:join", args=[live_review.join_code])


def test_a_closed_review_takes_no_new_people(client, bob):
    closed = ReviewFactory(status=Review.Status.CLOSED)
    client.force_login(bob)
    response = client.post(reverse("retrospectives:join", args=[closed.join_code]))
    assert response.status_code == 410
    assert "has ended" in response.content.decode()
    assert not Participant.objects.filter(user=bob).exists()


def test_participant_endpoints_404_for_people_who_did_not_join(client, bob, live_review):
    client.force_login(bob)
    for name in ["join_board", "note_add", "blame_check", "speak_freely"]:
        url = reverse(f"retrospectives:{name}", args=[live_review.join_code])
        response = client.post(url) if name != "join_board" else client.get(url)
        assert response.status_code == 404, name


@pytest.mark.parametrize("code", ["%00%00", "%3Cb%3Ex", "ab cd!", "ÄÖÜ"])
def test_odd_codes_get_a_message_not_a_500(client, sam, code):
    client.force_login(sam)
    response = client.get(f"/join/{code}/")
    assert response.status_code == 404
    assert "No review has the code" in response.content.decode()
    board = client.get(f"/join/{code}/board/")
    assert board.status_code == 404


def test_the_code_form_ignores_symbols_and_refuses_nothing(client, sam, live_review):
    client.force_login(sam)
    url = reverse("retrospectives:join_code")
    spaced = " ".join(live_review.join_code[:3]) + "-" + live_review.join_code[3:]
    assert client.get(url, {"code": spaced})["Location"].endswith(f"/{live_review.join_code}/")
    assert "Type the six" in client.get(url, {"code": "----"}).content.decode()
