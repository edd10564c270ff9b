"""One loss per client per loss date: a later finalised interview of the same loss takes over
from the earlier one instead of adding a loss, and the database refuses a second one."""

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction
from django.urls import reverse

from feedback import services
from feedback.models import Client, ExitInterview
from tests.factories import ClientFactory, ExitInterviewFactory, loss_reason

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat
LOST_ON = D("2026-03-01")


@pytest.fixture
def lost_client(alice):
    return ClientFactory(account_manager=alice, status=Client.Status.LOST, lost_on=LOST_ON)


def _draft(client, reason="Service level", held_on="2026-03-10", **fields):
    return ExitInterviewFactory(
        client=client,
        status=ExitInterview.Status.DRAFT,
        held_on=D(held_on),
        client_primary_reason=loss_reason(reason),
        **fields,
    )


def _finalise(interview, by, **options):
    return services.finalise_interview(interview=interview, by=by, **options)


def _losses(client):
    return [(i.pk, i.lost_on) for i in ExitInterview.objects.losses().filter(client=client)]


def test_the_database_refuses_two_counted_interviews_of_one_loss(lost_client):
    ExitInterviewFactory(client=lost_client)
    with pytest.raises(IntegrityError), transaction.atomic():
        ExitInterviewFactory(client=lost_client, superseded_at=None)


def test_a_superseded_interview_of_the_same_loss_is_still_kept(lost_client):
    ExitInterviewFactory(client=lost_client)
    ExitInterviewFactory(client=lost_client, superseded_at=dt.datetime(2026, 3, 2, tzinfo=dt.UTC))
    assert ExitInterview.objects.filter(client=lost_client).count() == 2


def test_a_later_interview_of_the_same_loss_takes_over(pat, lost_client):
    first = _finalise(_draft(lost_client), pat)
    later = _finalise(_draft(lost_client, "not reachable", fees_lost=45000), pat)
    assert _losses(lost_client) == [(later.pk, LOST_ON)]
    first.refresh_from_db()
    assert first.status == ExitInterview.Status.FINAL  # still there to read
    assert first.superseded_at is not None
    assert first.lost_on == LOST_ON


def test_finalising_an_interview_again_keeps_one_loss(pat, lost_client):
    interview = _draft(lost_client)
    for _ in range(3):
        _finalise(interview, pat)
    assert _losses(lost_client) == [(interview.pk, LOST_ON)]


def test_refinalising_the_earlier_interview_makes_it_the_one_that_counts(pat, lost_client):
    first = _finalise(_draft(lost_client), pat)
    _finalise(_draft(lost_client, "not reachable"), pat)
    _finalise(first, pat)
    assert _losses(lost_client) == [(first.pk, LOST_ON)]


def test_a_new_date_for_a_client_still_lost_corrects_the_same_loss(pat, lost_client):
    first = _finalise(_draft(lost_client), pat)
    later = _finalise(_draft(lost_client), pat, lost_on=D("2026-03-05"))
    assert _losses(lost_client) == [(later.pk, D("2026-03-05"))]
    first.refresh_from_db()
    assert (first.lost_on, first.superseded_at is not None) == (D("2026-03-05"), True)


def test_a_client_won_back_and_lost_again_has_two_losses(pat, lost_client):
    first = _finalise(_draft(lost_client), pat)
    lost_client.refresh_from_db()
    lost_client.status = Client.Status.WON_BACK
    lost_client.save()
    again = _finalise(_draft(lost_client, held_on="2026-05-20"), pat, lost_on=D("2026-05-15"))
    assert _losses(lost_client) == [(again.pk, D("2026-05-15")), (first.pk, LOST_ON)]


def test_a_client_won_back_is_not_given_its_old_loss_date(pat, lost_client):
    lost_client.status = Client.Status.WON_BACK
    lost_client.save()
    again = _finalise(_draft(lost_client), pat)
    assert again.lost_on != LOST_ON
    lost_client.refresh_from_db()
    assert lost_client.lost_on == again.lost_on


def test_an_interview_of_a_client_who_stays_is_no_loss(pat, alice):
    stays = ClientFactory(account_manager=alice)
    interview = _finalise(_draft(stays), pat, mark_client_lost=False)
    assert interview.status == ExitInterview.Status.FINAL
    assert interview.lost_on is None
    assert _losses(stays) == []


def test_an_interview_not_marking_a_lost_client_describes_its_loss(pat, lost_client):
    first = _finalise(_draft(lost_client), pat)
    later = _finalise(_draft(lost_client), pat, mark_client_lost=False)
    assert _losses(lost_client) == [(later.pk, LOST_ON)]
    assert first.pk != later.pk


def test_the_last_word_going_back_to_no_loss_gives_the_loss_back(pat, lost_client):
    first = _finalise(_draft(lost_client), pat)
    later = _finalise(_draft(lost_client), pat)
    Client.objects.filter(pk=lost_client.pk).update(status=Client.Status.WON_BACK)
    _finalise(later, pat, mark_client_lost=False)
    assert _losses(lost_client) == [(first.pk, LOST_ON)]


def test_correcting_the_clients_loss_date_moves_its_loss(client, pat, lost_client):
    first = _finalise(_draft(lost_client), pat)
    later = _finalise(_draft(lost_client), pat)
    client.force_login(pat)
    response = client.post(
        reverse("feedback:client_edit", args=[lost_client.pk]),
        {
            "name": lost_client.name,
            "industry": lost_client.industry,
            "size_band": lost_client.size_band,
            "annual_fees": "25000",
            "status": "lost",
            "client_since": "2015-01-01",
            "lost_on": "2026-02-20",
        },
    )
    assert response.status_code == 302
    assert _losses(lost_client) == [(later.pk, D("2026-02-20"))]
    first.refresh_from_db()
    assert first.lost_on == D("2026-02-20")


def test_the_migration_dates_each_loss_and_keeps_the_latest_interview(lost_client, alice):
    stays = ClientFactory(account_manager=alice)
    no_date = ClientFactory(account_manager=alice, status=Client.Status.LOST)
    older = ExitInterviewFactory(
        client=lost_client, finalised_at=dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
    )
    newer = ExitInterviewFactory(
        client=lost_client,
        finalised_at=dt.datetime(2026, 3, 9, tzinfo=dt.UTC),
        superseded_at=dt.datetime(2026, 3, 9, tzinfo=dt.UTC),
    )
    near_miss = ExitInterviewFactory(client=stays)
    undated = ExitInterviewFactory(client=no_date, held_on=D("2026-04-01"))
    draft = _draft(lost_client)
    ExitInterview.objects.update(lost_on=None, superseded_at=None)

    migration = importlib.import_module("feedback.migrations.0006_one_loss_per_client_and_date")
    migration.date_the_losses(apps, None)

    assert _losses(lost_client) == [(newer.pk, LOST_ON)]
    rows = {i.pk: (i.lost_on, i.superseded_at is None) for i in ExitInterview.objects.all()}
    assert rows[older.pk] == (LOST_ON, False)
    assert rows[near_miss.pk] == (None, True)
    assert rows[undated.pk] == (D("2026-04-01"), True)
    assert rows[draft.pk] == (None, True)


def test_the_interview_page_says_which_interview_counts(client, pat, lost_client):
    first = _finalise(_draft(lost_client), pat)
    later = _finalise(_draft(lost_client), pat)
    client.force_login(pat)
    page = client.get(reverse("feedback:interview_detail", args=[first.pk])).content.decode()
    assert "A later interview of the loss on 1 Mar 2026 was finalised since" in page
    page = client.get(reverse("feedback:interview_detail", args=[later.pk])).content.decode()
    assert "Counts on the dashboard as the loss of" in page


def test_a_won_back_client_is_not_offered_its_old_loss_date(client, alice, lost_client):
    lost_client.status = Client.Status.WON_BACK
    lost_client.save()
    client.force_login(alice)
    form = client.get(reverse("feedback:interview_new", args=[lost_client.pk])).context["form"]
    assert form.initial["client_lost_on"] != LOST_ON


def test_an_imported_loss_date_moves_the_clients_loss_too(pat, lost_client):
    interview = _finalise(_draft(lost_client), pat)
    csv_text = f"name,status,lost_on\n{lost_client.name},lost,2026-02-25\n".encode()
    result = services.import_clients(data=csv_text, by=pat)
    assert (result.errors, result.updated) == ([], 1)
    assert _losses(lost_client) == [(interview.pk, D("2026-02-25"))]


def test_a_loss_date_set_but_not_saved_still_moves_the_loss_when_saved(pat, lost_client):
    interview = _finalise(_draft(lost_client), pat)
    lost_client.refresh_from_db()
    lost_client.lost_on = D("2026-02-20")
    lost_client.save(update_fields=["name"])
    lost_client.save()
    assert _losses(lost_client) == [(interview.pk, D("2026-02-20"))]


def test_a_client_read_again_compares_with_the_loss_date_stored_now(pat, lost_client):
    interview = _finalise(_draft(lost_client), pat)
    stale = Client.objects.get(pk=lost_client.pk)
    other = Client.objects.get(pk=lost_client.pk)
    other.lost_on = D("2026-02-20")
    other.save()
    stale.refresh_from_db()
    stale.lost_on = D("2026-02-25")
    stale.save()
    assert _losses(lost_client) == [(interview.pk, D("2026-02-25"))]
