"""A small firm whose dashboard numbers are worked out by hand in the tests.

Today is 15 June 2026, so the default period is 16 June 2025 – 15 June 2026.

Feedback responses with a reason are handled (triaged); the firm-wide one is not triaged yet.

Losses (final exit interviews), fees lost in thousands, client reason / team reason:
  1 c1  Tax        manufacturing Boston   pat    2026-05-10  50  S / D
  2 c2  Tax        manufacturing Boston   pat    2026-03-01  40  S / S  (annual fees; no fees_lost)
  3 c3  Audit      retail        Hartford quinn  2026-01-20  30  P / D  (+ D among other reasons)
  4 c4  Audit      healthcare    Hartford quinn  2025-09-05  20  X / X
  5 c5  Tax+Audit  retail        Boston   quinn  2025-07-01  10  F / —
  6 c6  Tax        manufacturing Boston   —      held 2026-04-01, no lost_on  5  — / —
  out of period: c7 lost 2025-03-01 (99); draft interview c8 (77).
S = service level, P = partner unreachable, F = fees, X = client sold (not controllable),
D = difficult client (not controllable, check for excuse).
"""

import datetime as dt
import zoneinfo
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.utils import timezone

from accounts.models import Role
from actions.models import Action
from feedback.models import Client, ExitInterview
from tests.factories import (
    ActionFactory,
    ClientFactory,
    ExitInterviewFactory,
    FeedbackResponseFactory,
    LearningCheckFactory,
    OfficeFactory,
    ParticipantFactory,
    ReviewFactory,
    ServiceLineFactory,
    UserFactory,
    loss_reason,
)

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
TODAY = dt.date(2026, 6, 15)


def at(day: str, hour: int = 12) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=NEW_YORK)


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Rendered panels are cached per snapshot; a test's frozen clock could reuse another's.
    cache.clear()


@pytest.fixture
def today(time_machine):
    time_machine.move_to(at("2026-06-15", 12), tick=False)
    return TODAY


@pytest.fixture
def quinn(db):
    return UserFactory(username="quinn", display_name="Quinn Adler", roles=[Role.PARTNER])


@pytest.fixture
def firm(today, pat, quinn, alice, bob):
    reasons = SimpleNamespace(
        S=loss_reason("Service level"),
        P=loss_reason("not reachable"),
        F=loss_reason("Fees:"),
        X=loss_reason("Client sold"),
        D=loss_reason("Difficult client"),
    )
    boston, hartford = OfficeFactory(name="Boston"), OfficeFactory(name="Hartford")
    providence = OfficeFactory(name="Providence")
    tax, audit = ServiceLineFactory(name="Tax"), ServiceLineFactory(name="Audit & assurance")
    payroll = ServiceLineFactory(name="Payroll")
    manufacturing, retail = Client.Industry.MANUFACTURING, Client.Industry.RETAIL
    healthcare = Client.Industry.HEALTHCARE

    def lost(name, lines, industry, office, partner, lost_on, fees, reason, team, annual=25000):
        client = ClientFactory(
            name=name,
            service_lines=lines,
            industry=industry,
            office=office,
            relationship_partner=partner,
            account_manager=alice,
            status=Client.Status.LOST,
            lost_on=lost_on and dt.date.fromisoformat(lost_on),
            annual_fees=annual,
        )
        return ExitInterviewFactory(
            client=client,
            held_on=dt.date.fromisoformat(lost_on or "2026-04-01"),
            fees_lost=fees,
            client_primary_reason=reason,
            team_reason=team,
        )

    r = reasons
    losses = [
        lost("c1", [tax], manufacturing, boston, pat, "2026-05-10", 50000, r.S, r.D),
        lost("c2", [tax], manufacturing, boston, pat, "2026-03-01", None, r.S, r.S, 40000),
        lost("c3", [audit], retail, hartford, quinn, "2026-01-20", 30000, r.P, r.D),
        lost("c4", [audit], healthcare, hartford, quinn, "2025-09-05", 20000, r.X, r.X),
        lost("c5", [tax, audit], retail, boston, quinn, "2025-07-01", 10000, r.F, None),
        lost("c6", [tax], manufacturing, boston, None, None, 5000, None, None),
        lost("c7", [tax], manufacturing, boston, pat, "2025-03-01", 99000, r.S, None),
    ]
    losses[2].client_other_reasons.set([r.D, r.F])
    draft = lost("c8", [tax], manufacturing, boston, pat, "2026-02-01", 77000, r.S, None)
    ExitInterview.objects.filter(pk=draft.pk).update(status=ExitInterview.Status.DRAFT)

    def active(name, lines, industry, office, partner, annual, status=Client.Status.ACTIVE):
        return ClientFactory(
            name=name,
            service_lines=lines,
            industry=industry,
            office=office,
            relationship_partner=partner,
            account_manager=alice,
            status=status,
            annual_fees=annual,
        )

    c9 = active("c9", [tax], manufacturing, hartford, None, 80000)
    c10 = active("c10", [payroll], Client.Industry.CONSTRUCTION, boston, pat, 15000)
    c11 = active("c11", [audit], healthcare, hartford, pat, 70000)
    c12 = active("c12", [audit], retail, providence, None, 5000, Client.Status.AT_RISK)

    def action(name, owner, created, status=Action.Status.OPEN, **fields):
        made = ActionFactory(title=name, owner=owner, status=status, **fields)
        Action.objects.filter(pk=made.pk).update(created_at=at(created, 10))
        return made

    done = {"evidence": "We changed the engagement letter."}
    actions = SimpleNamespace(
        a1=action("A1", alice, "2025-08-01", "done", cause=r.S, done_at=at("2025-10-01"), **done),
        a2=action(
            "A2",
            bob,
            "2024-10-01",
            "verified",
            cause=r.P,
            done_at=at("2024-12-01"),
            verified_at=at("2025-01-05"),
            **done,
        ),
        a3=action("A3", alice, "2026-01-10", cause=r.F, due_on=dt.date(2026, 2, 1), client=c9),
        a4=action("A4", bob, "2025-09-10", "done", cause=r.X, done_at=at("2025-10-01"), **done),
        a5=action("A5", bob, "2026-02-01", "verified", verified_at=at("2026-02-11", 10), **done),
        a6=action("A6", alice, "2026-03-01", "verified", verified_at=at("2026-03-21", 10), **done),
        a7=action("A7", bob, "2026-04-01", "verified", verified_at=at("2026-05-01", 10), **done),
        a8=action("A8", bob, "2026-05-01", "in_progress", due_on=dt.date(2026, 6, 1)),
        a9=action("A9", bob, "2026-05-01", due_on=dt.date(2026, 7, 1)),
        a10=action("A10", alice, "2026-05-02", "wont_do", wont_do_reason="Covered by A6."),
        a11=action(
            "A11", alice, "2025-12-01", "verified", verified_at=at("2025-12-05", 10), **done
        ),
    )

    def response(client, rating, day, reason=None, replied=None):
        made = FeedbackResponseFactory(
            request__client=client,
            client=client,
            rating=rating,
            reason=reason,
            triage="handled" if reason else "new",
            reply_sent_at=replied and at(replied),
        )
        type(made).objects.filter(pk=made.pk).update(submitted_at=at(day))
        return made

    response(c9, 8, "2026-01-15", r.S, replied="2026-03-01")
    response(c10, 6, "2026-01-20", r.F)
    response(c9, 4, "2026-03-05", r.P)
    response(None, None, "2026-03-10")
    response(c9, 1, "2025-01-01", r.S)

    sam1, sam2 = UserFactory(username="lc1", office=boston), UserFactory(username="lc2")
    LearningCheckFactory(respondent=sam1, quarter="2026Q1")
    LearningCheckFactory(
        respondent=sam2, quarter="2026Q1", item1=5, item2=5, item3=5, item4=5, item5=1
    )
    LearningCheckFactory(
        respondent=sam1, quarter="2026Q2", item1=2, item2=2, item3=2, item4=2, item5=2
    )
    LearningCheckFactory(
        respondent=sam2, quarter="2024Q4", item1=5, item2=5, item3=5, item4=5, item5=5
    )

    closed = ReviewFactory(status="closed", closed_at=at("2026-02-01"))
    ParticipantFactory(review=closed, speak_freely=4)
    ParticipantFactory(review=closed, speak_freely=5)
    ParticipantFactory(review=closed, speak_freely=None)
    old = ReviewFactory(status="closed", closed_at=at("2024-06-01"))
    ParticipantFactory(review=old, speak_freely=1)

    return SimpleNamespace(
        reasons=reasons,
        losses=losses,
        actions=actions,
        offices=SimpleNamespace(boston=boston, hartford=hartford, providence=providence),
        lines=SimpleNamespace(tax=tax, audit=audit, payroll=payroll),
        at_risk=[c9, c10, c12],
        safe=c11,
        today=today,
        timezone=timezone,
    )
