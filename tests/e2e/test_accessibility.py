"""axe-core on every main page, as the people who use it see it, on the demo data: no serious or
critical violation anywhere.

axe-core 4.14.1 (tests/e2e/vendor/axe.min.js, MPL-2.0, licence in tests/e2e/vendor/LICENSE) is
injected by the browser before each page's own scripts, so the app's Content-Security-Policy
stays as strict as in production; it is never served by the app.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.models import User
from actions.models import Action
from feedback.models import Client, ExitInterview, FeedbackRequest, SaveAttempt, Suggestion
from retrospectives import services
from retrospectives.models import AuditSchedule, Lesson, Phase, Review
from tests.e2e.conftest import DESKTOP, PHONE

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    # The presenter and the phone poll while axe runs (see the fixture in conftest.py).
    pytest.mark.usefixtures("one_request_at_a_time_on_sqlite"),
]

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"

# Serious and critical violations only: the ones that stop someone from using the page.
RUN_AXE = """async () => {
  const results = await axe.run(document, { resultTypes: ["violations"] });
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact} ${v.id} (${v.help}): ` +
      v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | "));
}"""


def _live_review(fran: User, participants: list[User]) -> Review:
    """A review in its voting phase, with notes (one named, one anonymous) and votes."""
    review = Review.objects.filter(status=Review.Status.PLANNED, facilitator=fran).first()
    services.start_review(review=review)
    for user in participants:
        services.join_review(review=review, user=user)
    while review.phase != Phase.WHY:
        services.move_phase(review=review, step=1)
    first, second = participants[:2]
    named = services.add_note(
        review=review, author=first, text="Notices landed in a shared inbox.", anonymous=False
    )
    services.add_note(
        review=review, author=second, text="No backup partner in April.", anonymous=True
    )
    services.cast_vote(note=named, user=second)
    return review


def _pages() -> dict[str, list[str]]:
    """The main pages of each persona, on the demo data."""
    alice, fran, pat, sam = (User.objects.get(username=n) for n in ("alice", "fran", "pat", "sam"))
    review = _live_review(fran, [alice, pat])
    closed = Review.objects.filter(status=Review.Status.CLOSED).first()
    client = Client.objects.visible_to(alice).filter(account_manager=alice).first()
    interview = ExitInterview.objects.visible_to(alice).filter(interviewer=alice).first()
    save = SaveAttempt.objects.filter(owner=alice).first() or SaveAttempt.objects.first()
    action = Action.objects.filter(owner=alice).first()
    lesson = Lesson.objects.filter(status=Lesson.Status.PUBLISHED).first()
    suggestion = Suggestion.objects.first()
    audit = AuditSchedule.objects.first()
    link = FeedbackRequest.objects.filter(client__isnull=False, revoked_at__isnull=True).first()
    return {
        "": ["/accounts/login/", f"/f/{link.token}/", "/accounts/password_reset/"],
        "alice": [
            "/",
            "/clients/",
            f"/clients/{client.pk}/",
            f"/clients/{client.pk}/interviews/new/",
            f"/interviews/{interview.pk}/",
            "/feedback/",
            "/saves/",
            f"/saves/{save.pk}/",
            "/actions/mine/",
            f"/actions/{action.pk}/",
            "/dashboard/",
            "/suggestions/new/",
            "/suggestions/mine/",
        ],
        "fran": [
            "/",
            "/reviews/",
            "/reviews/new/",
            f"/reviews/{review.pk}/",
            f"/reviews/{review.pk}/console/",
            f"/reviews/{review.pk}/present/",
            f"/reviews/{closed.pk}/",
            f"/reviews/{closed.pk}/report/",
            "/lessons/",
            f"/lessons/{lesson.pk}/",
            "/suggestions/",
            f"/suggestions/{suggestion.pk}/",
        ],
        "pat": [
            "/",
            "/dashboard/",
            "/dashboard/losses/",
            "/dashboard/actions/",
            "/dashboard/at-risk/",
            "/dashboard/responses/",
            "/actions/",
            "/audits/",
            f"/audits/{audit.pk}/",
            f"/interviews/{interview.pk}/audit/",
            f"/actions/{action.pk}/",
        ],
        "sam": ["/", "/learning-check/", "/join/", f"/join/{review.join_code}/"],
    }


def _check(page, url: str, found: dict[str, list[str]]) -> None:
    response = page.goto(url)
    if not response.ok:
        found[url] = [f"HTTP {response.status}: the persona should see this page"]
    elif problems := page.evaluate(RUN_AXE):
        found[f"{url} ({page.viewport_size['width']}px)"] = problems


def test_no_page_has_a_serious_or_critical_axe_violation(browser, live_server):
    call_command("seed_demo", stdout=None)
    pages = _pages()
    found: dict[str, list[str]] = {}
    for username, urls in pages.items():
        context = browser.new_context(viewport=DESKTOP, base_url=live_server.url)
        context.set_default_timeout(10_000)
        context.add_init_script(path=AXE)
        page = context.new_page()
        if username:
            page.goto("/accounts/login/")
            page.get_by_label("Username").fill(username)
            page.get_by_label("Password").fill(settings.DEMO_PASSWORD)
            page.get_by_role("button", name="Log in").click()
            page.wait_for_url(f"{live_server.url}/")
        for url in urls:
            _check(page, url, found)
        if username == "fran":
            # The presenter's dark theme, and the console with the shortcuts list open.
            page.goto(next(url for url in urls if url.endswith("/present/")))
            page.keyboard.press("d")
            expect(page.locator("body")).to_have_class("presenter theme-dark")
            found.update(
                {f"{page.url} dark": problems for problems in [page.evaluate(RUN_AXE)] if problems}
            )
        if username == "sam":
            page.set_viewport_size(PHONE)
            page.get_by_role("button", name="Join the review").click()
            expect(page.get_by_role("region", name="Notes in this phase")).to_be_visible()
            found.update(
                {f"{page.url} board": problems for problems in [page.evaluate(RUN_AXE)] if problems}
            )
        context.close()
    assert not found, "\n".join(
        f"{url}:\n  " + "\n  ".join(problems) for url, problems in found.items()
    )
