"""Demo clients and feedback for `manage.py seed_demo`. Idempotent: every row is
found by a natural key and updated, so a second run changes nothing."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from accounts.models import Office, User
from actions.models import Action, ActionEvent
from actions.services import replan_reminders

from .models import (
    Client,
    ExitInterview,
    FeedbackRequest,
    FeedbackResponse,
    LearningCheck,
    LossReason,
    SaveAttempt,
    ServiceLine,
    Suggestion,
    new_token,
    receipt_digest,
)
from .services import add_business_days, quarter_of

SERVICE_LINES = ["Tax", "Audit & assurance", "Advisory", "Bookkeeping", "Payroll"]

FIRST = [
    "Harbor",
    "Kessler",
    "Brightline",
    "Cedar",
    "Granite",
    "Maple",
    "Summit",
    "Riverbend",
    "Oakridge",
    "Bluewater",
    "Ironwood",
    "Lantern",
    "Meridian",
    "Northgate",
    "Pinecrest",
]
SECOND = ["Dental Group", "Manufacturing", "Logistics", "Family Trust"]
INDUSTRY_OF = {
    "Dental Group": Client.Industry.HEALTHCARE,
    "Manufacturing": Client.Industry.MANUFACTURING,
    "Logistics": Client.Industry.RETAIL,
    "Family Trust": Client.Industry.INDIVIDUAL,
}
OFFICES = ["Boston", "Hartford", "Providence"]
SIZES = list(Client.SizeBand.values)

# The story the demo tells: three key clients lost in three months. The client's words differ
# from the team's explanation each time.
RECENT_LOSSES = [
    {
        "client": "Harbor Dental Group",
        "days_ago": 20,
        "am": "alice",
        "partner": "pat",
        "fees": 86000,
        "interviewee": ("Dr. Lena Ortiz", "Managing partner"),
        "client_words": (
            "When the state audit letter arrived we called four times in two weeks. Nobody "
            "senior called us back until the day after the deadline. We paid the penalty "
            "ourselves and decided that was it."
        ),
        "client_reason": "not reachable",
        "client_other": ["Errors and rework"],
        "team_hypothesis": "Price. They were always difficult about fees and went cheaper.",
        "team_reason": "Fees",
        "did_well": "Year-end tax work was thorough and the junior staff were lovely.",
        "do_better": "Give us a named senior contact who answers during an escalation.",
        "competitor": "Clearwater CPAs",
        "would_return": "maybe",
        "recommend": 4,
    },
    {
        "client": "Kessler Manufacturing",
        "days_ago": 55,
        "am": "bob",
        "partner": "quinn",
        "fees": 124000,
        "interviewee": ("Martin Kessler", "CFO"),
        "client_words": (
            "We were sold a dedicated team and monthly management accounts by the tenth. "
            "What we got was whoever was free, and the accounts came on the twenty-fifth."
        ),
        "client_reason": "Service level below",
        "client_other": ["Staff or partner turnover"],
        "team_hypothesis": (
            "Sales over-promised the service level, and they were a difficult client anyway."
        ),
        "team_reason": "Difficult client",
        "did_well": "The audit itself was clean and the partner knew our industry.",
        "do_better": "Only promise what the team can deliver, and tell us when it slips.",
        "competitor": "Northstar Advisory",
        "would_return": "no",
        "recommend": 3,
    },
    {
        "client": "Brightline Logistics",
        "days_ago": 80,
        "am": "alice",
        "partner": "quinn",
        "fees": 58000,
        "interviewee": ("Priya Nair", "Head of finance"),
        "client_words": (
            "From February to April every e-mail took a week to answer. We had payroll "
            "questions with filing deadlines and ended up guessing."
        ),
        "client_reason": "Slow responses",
        "client_other": ["Not proactive"],
        "team_hypothesis": "Difficult client: demanding, and they never sent documents on time.",
        "team_reason": "Difficult client",
        "did_well": "Payroll runs were always right.",
        "do_better": "Answer within two days in busy season, even if only to say when.",
        "competitor": "",
        "would_return": "maybe",
        "recommend": 5,
    },
]

# Older losses over the last two years, so the dashboard has a history: (client, days ago,
# client's reason, team's reason, fees lost).
OLDER_LOSSES = [
    ("Cedar Manufacturing", 130, "Fees", "Fees", 32000),
    ("Granite Family Trust", 170, "Client sold", "Client sold", 12000),
    ("Maple Logistics", 220, "not reachable", "Difficult client", 47000),
    ("Summit Dental Group", 300, "Errors and rework", "Errors and rework", 29000),
    ("Riverbend Manufacturing", 390, "Service level below", "Fees", 66000),
    ("Oakridge Logistics", 460, "Slow responses", "Difficult client", 38000),
    ("Bluewater Family Trust", 540, "Followed a departing partner", "Followed a departing", 15000),
    ("Ironwood Dental Group", 610, "Technology and portal", "Fees", 21000),
    ("Lantern Manufacturing", 690, "Scope and engagement", "Difficult client", 54000),
]

FEEDBACK = [
    (
        "Meridian Dental Group",
        "Quick answers on payroll questions.",
        "Tell us before you bill for extra work.",
        8,
    ),
    (
        "Northgate Logistics",
        "Our manager knows our business.",
        "The portal keeps logging us out.",
        7,
    ),
    (
        "Pinecrest Family Trust",
        "Friendly, patient people.",
        "Send reminders earlier before deadlines.",
        9,
    ),
    (
        "Harbor Manufacturing",
        "The audit team was well prepared.",
        "Fewer new faces each year, please.",
        6,
    ),
    ("Kessler Logistics", "", "We waited three weeks for a call back in March.", 4),
    ("Cedar Dental Group", "Clear engagement letter.", "", 10),
    ("Granite Manufacturing", "Good tax planning ideas.", "Explain the bill; it jumped 30%.", 5),
    ("Maple Family Trust", "Always on time with filings.", "", 9),
    ("Summit Logistics", "", "Nobody told us about the new rule until it was too late.", 3),
    (
        "Oakridge Dental Group",
        "Payroll is painless.",
        "A named backup when our manager is away.",
        8,
    ),
    ("Bluewater Manufacturing", "Responsive in the summer.", "Responsive in busy season too.", 6),
    ("Ironwood Logistics", "Helpful advisory sessions.", "", 9),
    (None, "Your seminar on R&D credits was excellent.", "", 9),
    (None, "", "Your phone line sends me round in circles.", 2),
    (None, "Honest advice, even when it is not what we want to hear.", "Faster replies.", 7),
]


# Clients who heard "you said, we did" and answered the form again, asked whether they feel we
# acted on it: (client, what they asked for, the action and what changed, days ago the reply
# went out, later answers as (days ago, 1–5, what they wrote)).
HEARD_BACK = [
    (
        "Meridian Manufacturing",
        "Your portal logs us out every few minutes.",
        "Keep portal sessions open for a working day",
        "Portal sessions now last eight hours; clients are warned before a time-out.",
        150,
        [(120, 4, "The portal is much calmer now."), (30, 5, "Thanks for fixing the portal.")],
    ),
    (
        "Summit Family Trust",
        "We waited weeks for a call back about a notice.",
        "Call back about any notice within two business days",
        "Notices are logged on arrival and the account manager calls within two days.",
        100,
        [(70, 2, "Still hard to reach in March."), (10, 3, "Better, but not every time.")],
    ),
]

# Staff suggestions: (text, author or None for anonymous, days ago, outcome).
SUGGESTIONS = [
    (
        "Keep one shared calendar of every client's filing deadlines, visible to the whole team.",
        None,
        60,
        {
            "status": "accepted",
            "answer": "Good idea; Fran will set it up with the tax team.",
            "action": ("Shared calendar of client filing deadlines", "fran", "verified"),
            "evidence": "The calendar is on the intranet with all client deadlines loaded.",
        },
    ),
    (
        "Name a backup for each account manager while they are on holiday.",
        "sam",
        25,
        {
            "status": "accepted",
            "answer": "Agreed. Bob is drawing up the cover list before the holidays.",
            "action": ("Name holiday cover for every account manager", "bob", "open"),
        },
    ),
    (
        "Clients should have someone to call when their manager is away.",
        None,
        20,
        {"status": "merged", "into": 1, "answer": "Same idea as a suggestion we accepted."},
    ),
    (
        "Drop the Friday all-hands meeting.",
        "jordan",
        15,
        {
            "status": "declined",
            "answer": "The all-hands is where we agree the busy-season plan; from next month "
            "it is 30 minutes, not an hour.",
        },
    ),
    ("Let clients book a call with their manager through the portal.", "riley", 5, {}),
    ("Ask clients after each deadline whether we kept them informed.", None, 2, {}),
]


def _client_names() -> list[str]:
    return [f"{first} {second}" for second in SECOND for first in FIRST]


def _reason(fragment: str) -> LossReason:
    return LossReason.objects.get(name__icontains=fragment)


def _seed_clients(users: dict[str, User]) -> dict[str, Client]:
    offices = {office.name: office for office in Office.objects.filter(name__in=OFFICES)}
    lines = list(ServiceLine.objects.filter(name__in=SERVICE_LINES).order_by("name"))
    clients = {}
    for i, name in enumerate(_client_names()):
        client, _ = Client.objects.update_or_create(
            name=name,
            defaults={
                "industry": INDUSTRY_OF[name.split(" ", 1)[1]],
                "size_band": SIZES[i % len(SIZES)],
                "annual_fees": Decimal(8000 + (i * 3700) % 90000),
                "office": offices.get(OFFICES[i % len(OFFICES)]),
                "account_manager": users["alice"] if i % 2 == 0 else users["bob"],
                "relationship_partner": users["pat"] if i % 3 else users["quinn"],
                "status": Client.Status.AT_RISK if i % 11 == 5 else Client.Status.ACTIVE,
                "client_since": dt.date(2008 + i % 15, 1 + i % 12, 1),
                "lost_on": None,
            },
        )
        client.service_lines.set([lines[i % len(lines)], lines[(i * 2 + 1) % len(lines)]])
        clients[name] = client
    return clients


def _seed_losses(clients: dict[str, Client], users: dict[str, User], today: dt.date) -> None:
    for loss in RECENT_LOSSES:
        client = clients[loss["client"]]
        client.account_manager = users[loss["am"]]
        client.relationship_partner = users[loss["partner"]]
        client.annual_fees = Decimal(loss["fees"])
        _lose(client, today - dt.timedelta(days=loss["days_ago"]))
        held_on = client.lost_on + dt.timedelta(days=7)
        interview, _ = ExitInterview.objects.update_or_create(
            client=client,
            client_words=loss["client_words"],
            defaults={
                "held_on": held_on,
                "interviewer": users[loss["am"]],
                "channel": ExitInterview.Channel.MEETING,
                "interviewee_name": loss["interviewee"][0],
                "interviewee_role": loss["interviewee"][1],
                "client_primary_reason": _reason(loss["client_reason"]),
                "team_hypothesis": loss["team_hypothesis"],
                "team_reason": _reason(loss["team_reason"]),
                "did_well": loss["did_well"],
                "do_better": loss["do_better"],
                "would_return": loss["would_return"],
                "recommend_score": loss["recommend"],
                "fees_lost": Decimal(loss["fees"]),
                "competitor": loss["competitor"],
                "status": ExitInterview.Status.FINAL,
                "finalised_at": _noon(held_on),
                "lost_on": client.lost_on,
            },
        )
        interview.client_other_reasons.set([_reason(r) for r in loss["client_other"]])
    for name, days_ago, client_reason, team_reason, fees in OLDER_LOSSES:
        client = clients[name]
        _lose(client, today - dt.timedelta(days=days_ago))
        held_on = client.lost_on + dt.timedelta(days=10)
        ExitInterview.objects.update_or_create(
            client=client,
            client_words=f"In short: {_reason(client_reason).name.lower()}.",
            defaults={
                "held_on": held_on,
                "interviewer": client.account_manager,
                "channel": ExitInterview.Channel.CALL,
                "interviewee_name": "Finance lead",
                "client_primary_reason": _reason(client_reason),
                "team_hypothesis": f"We think: {_reason(team_reason).name.lower()}.",
                "team_reason": _reason(team_reason),
                "fees_lost": Decimal(fees),
                "status": ExitInterview.Status.FINAL,
                "finalised_at": _noon(held_on),
                "lost_on": client.lost_on,
            },
        )


def _noon(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def _lose(client: Client, lost_on: dt.date) -> None:
    client.status = Client.Status.LOST
    client.lost_on = lost_on
    client.save()


def _seed_feedback(clients: dict[str, Client], users: dict[str, User], today: dt.date) -> None:
    for client in [None, *clients.values()]:
        if not FeedbackRequest.objects.filter(client=client, revoked_at__isnull=True).exists():
            FeedbackRequest.objects.create(
                client=client, created_by=client.account_manager if client else users["pat"]
            )
    for i, (name, doing_right, do_better, rating) in enumerate(FEEDBACK):
        client = clients[name] if name else None
        request = FeedbackRequest.objects.filter(client=client, revoked_at__isnull=True).first()
        handled = i % 4 == 3
        response, _ = FeedbackResponse.objects.update_or_create(
            client=client,
            doing_right=doing_right,
            do_better=do_better,
            defaults={
                "request": request,
                "rating": rating,
                "contact_name": "Sam Client" if i % 3 == 0 else "",
                "contact_email": f"contact{i}@client.example" if i % 3 == 0 else "",
                "contact_consent": i % 3 == 0,
                "triage": FeedbackResponse.Triage.HANDLED
                if handled
                else FeedbackResponse.Triage.NEW,
                "handled_by": (client.account_manager if client else users["pat"])
                if handled
                else None,
            },
        )
        # Spread the answers over the last three months (submitted_at is set on insert).
        submitted = _noon(today - dt.timedelta(days=3 + i * 6))
        FeedbackResponse.objects.filter(pk=response.pk).update(
            submitted_at=submitted, handled_at=submitted if handled else None
        )


# Save attempts: (client, days ago opened, a new low response (rating, words) or
# None for the client's low response in FEEDBACK, first contact (days ago, note), outcome,
# closed (days ago, note)). Opened on the day of the response. The lost one is Harbor Dental
# Group, one of the three recent losses: the alert came, the call came too late.
SAVES = [
    (
        "Kessler Logistics",
        27,
        None,
        None,
        SaveAttempt.Status.OPEN,
        None,
    ),
    (
        "Granite Manufacturing",
        39,
        None,
        (38, "Called the CFO; the jump was the new payroll module, never explained."),
        SaveAttempt.Status.SAVED,
        (30, "Credited half of the module for this year and agreed a fee letter in advance."),
    ),
    (
        "Harbor Dental Group",
        35,
        (
            3,
            "Nobody senior calls us back about the state audit letter. We are looking around.",
        ),
        (31, "Dr. Ortiz took the call but had already spoken to Clearwater."),
        SaveAttempt.Status.LOST,
        (21, "They signed with Clearwater CPAs; the penalty had already been paid."),
    ),
]


def _seed_saves(clients: dict[str, Client], today: dt.date) -> None:
    """One open save attempt (first contact overdue), one saved, one lost."""
    for name, days_ago, said, contact, outcome, closed in SAVES:
        client = clients[name]
        opened_on = today - dt.timedelta(days=days_ago)
        owner = client.account_manager
        attempt, _ = SaveAttempt.objects.update_or_create(
            client=client,
            defaults={
                "opened_at": _noon(opened_on),
                "owner": owner,
                "trigger": SaveAttempt.Trigger.LOW_RATING,
                "status": outcome,
                "first_contact_due_on": add_business_days(opened_on, 2),
                "first_contact_on": today - dt.timedelta(days=contact[0]) if contact else None,
                "first_contact_note": contact[1] if contact else "",
                "closed_at": _noon(today - dt.timedelta(days=closed[0])) if closed else None,
                "closed_by": owner if closed else None,
                "outcome_note": closed[1] if closed else "",
                "client_status_before": Client.Status.ACTIVE,
            },
        )
        if said is not None:
            rating, do_better = said
            request = FeedbackRequest.objects.filter(client=client, revoked_at__isnull=True).first()
            response, _ = FeedbackResponse.objects.update_or_create(
                client=client,
                do_better=do_better,
                defaults={"request": request, "rating": rating},
            )
            FeedbackResponse.objects.filter(pk=response.pk).update(submitted_at=_noon(opened_on))
        FeedbackResponse.objects.filter(client=client, rating__lte=6).update(
            save_attempt=attempt, save_alert_sent_at=_noon(opened_on)
        )
        if outcome == SaveAttempt.Status.OPEN:
            Client.objects.filter(pk=client.pk).update(status=Client.Status.AT_RISK)


def _seed_learning_checks(users: dict[str, User], today: dt.date) -> None:
    this_quarter = quarter_of(today)
    last_quarter = quarter_of(
        dt.date(today.year, 1 + (today.month - 1) // 3 * 3, 1) - dt.timedelta(days=1)
    )
    for offset, username in enumerate(
        ["alice", "bob", "fran", "pat", "sam", "quinn", "riley", "jordan"]
    ):
        for quarter, lift in ((last_quarter, 0), (this_quarter, 1)):
            scores = [1 + (offset + item + lift) % 4 + (item == 2) for item in range(5)]
            LearningCheck.objects.update_or_create(
                respondent=users[username],
                quarter=quarter,
                defaults={f"item{i}": min(5, s) for i, s in enumerate(scores, start=1)},
            )


def _demo_action(
    *, title: str, owner: User, by: User, today: dt.date, status: str, **fields
) -> Action:
    """An action for the demo, found by title; verified ones carry their evidence."""
    verified = status == Action.Status.VERIFIED
    evidence = fields.pop("evidence", "")
    done_at = _noon(today - dt.timedelta(days=7)) if verified else None
    action, created = Action.objects.update_or_create(
        title=title,
        defaults={
            "owner": owner,
            "created_by": by,
            "due_on": today + dt.timedelta(days=10 if not verified else -10),
            "status": status,
            "evidence": evidence if verified else "",
            "done_at": done_at,
            "verified_by": by if verified else None,
            "verified_at": done_at,
            **fields,
        },
    )
    if done_at:
        # created_at is set on insert; a verified demo action was opened weeks before.
        Action.objects.filter(pk=action.pk).update(created_at=done_at - dt.timedelta(days=30))
    if created:
        ActionEvent.objects.create(action=action, actor=by, to_status=status, note="Created")
    replan_reminders(action=action)
    return action


def _seed_heard_back(clients: dict[str, Client], users: dict[str, User], today: dt.date) -> None:
    for name, asked, title, evidence, replied_ago, answers in HEARD_BACK:
        client = clients[name]
        request = FeedbackRequest.objects.filter(client=client, revoked_at__isnull=True).first()
        action = _demo_action(
            title=title,
            owner=client.account_manager,
            by=users["pat"],
            today=today,
            status=Action.Status.VERIFIED,
            evidence=evidence,
            client=client,
        )
        first, _ = FeedbackResponse.objects.update_or_create(
            client=client,
            do_better=asked,
            defaults={
                "request": request,
                "rating": 5,
                "contact_name": "Finance lead",
                "contact_email": f"finance@{client.name.split()[0].lower()}.example",
                "contact_consent": True,
                "triage": FeedbackResponse.Triage.HANDLED,
                "handled_by": client.account_manager,
                "linked_action": action,
                "reply_text": f"You said: “{asked}” We changed this: {evidence}",
            },
        )
        Action.objects.filter(pk=action.pk).update(source_feedback=first)
        replied = _noon(today - dt.timedelta(days=replied_ago))
        FeedbackResponse.objects.filter(pk=first.pk).update(
            submitted_at=replied - dt.timedelta(days=60), handled_at=replied, reply_sent_at=replied
        )
        for days_ago, acted_on, doing_right in answers:
            later, _ = FeedbackResponse.objects.update_or_create(
                client=client,
                doing_right=doing_right,
                defaults={"request": request, "rating": 6 + acted_on // 2, "acted_on": acted_on},
            )
            FeedbackResponse.objects.filter(pk=later.pk).update(
                submitted_at=_noon(today - dt.timedelta(days=days_ago))
            )


def _seed_suggestions(users: dict[str, User], today: dt.date) -> None:
    """Suggestions in every state. Anonymous ones get a receipt whose link nobody was shown."""
    made: list[Suggestion] = []
    for text, author, days_ago, outcome in SUGGESTIONS:
        suggestion, _ = Suggestion.objects.get_or_create(
            text=text,
            defaults={
                "author": users[author] if author else None,
                "submitted_on": today - dt.timedelta(days=days_ago),
                "receipt_digest": None if author else receipt_digest(new_token()),
            },
        )
        made.append(suggestion)
        if not outcome:
            continue
        Suggestion.objects.filter(pk=suggestion.pk).update(
            status=outcome["status"],
            answer=outcome["answer"],
            merged_into=made[outcome["into"]] if "into" in outcome else None,
            decided_by=users["pat"],
            decided_at=_noon(today - dt.timedelta(days=days_ago - 1)),
        )
        if "action" in outcome:
            title, owner, status = outcome["action"]
            _demo_action(
                title=title,
                owner=users[owner],
                by=users["pat"],
                today=today,
                status=status,
                evidence=outcome.get("evidence", ""),
                detail=text,
                source_suggestion=suggestion,
            )


def seed(*, users: dict[str, User]) -> None:
    for name in SERVICE_LINES:
        ServiceLine.objects.get_or_create(name=name)
    today = timezone.localdate()
    clients = _seed_clients(users)
    _seed_losses(clients, users, today)
    _seed_feedback(clients, users, today)
    _seed_saves(clients, today)
    _seed_heard_back(clients, users, today)
    _seed_learning_checks(users, today)
    _seed_suggestions(users, today)
