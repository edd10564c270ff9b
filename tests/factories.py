"""factory_boy factories for every model. Shared by all test modules."""

import datetime as dt

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import Office, Role, User
from actions.models import Action, QuietPeriod, Reminder
from feedback.models import (
    Client,
    ExitInterview,
    FeedbackRequest,
    FeedbackResponse,
    LearningCheck,
    LossReason,
    ServiceLine,
)
from retrospectives.models import Contribution, Lesson, Participant, Review, Vote

PASSWORD = "correct-horse-battery-staple"


class OfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Office
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Office {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.LazyAttribute(lambda o: o.username.title())
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(*Group.objects.filter(name__in=[Role(r).value for r in extracted]))
        if create:
            self.save()


class ServiceLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceLine
        django_get_or_create = ("name",)

    name = factory.Iterator(["Tax", "Audit & assurance", "Advisory", "Bookkeeping", "Payroll"])


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Client {n} LLC")
    industry = Client.Industry.MANUFACTURING
    size_band = Client.SizeBand.SMALL
    annual_fees = 25000
    office = factory.SubFactory(OfficeFactory, name="Boston")
    client_since = dt.date(2015, 1, 1)

    @factory.post_generation
    def service_lines(self, create, extracted, **kwargs):
        if create and extracted:
            self.service_lines.set(extracted)


def loss_reason(name_fragment: str) -> LossReason:
    """One of the seeded taxonomy reasons, by a fragment of its name."""
    return LossReason.objects.get(name__icontains=name_fragment)


class ExitInterviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExitInterview

    client = factory.SubFactory(ClientFactory)
    interviewer = factory.LazyAttribute(lambda o: o.client.account_manager)
    held_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=10))
    channel = ExitInterview.Channel.CALL
    interviewee_name = "Dana Client"
    interviewee_role = "CFO"
    client_words = "When our notice came in, nobody called us back for two weeks."
    team_hypothesis = "They were price shopping."
    fees_lost = 30000
    status = ExitInterview.Status.FINAL
    # A final interview describes the client's loss (as finalise_interview records it).
    lost_on = factory.LazyAttribute(
        lambda o: (
            (o.client.lost_on or o.held_on) if o.status == ExitInterview.Status.FINAL else None
        )
    )

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """Like finalise_interview, a later final interview of the same loss is the one that
        counts (pass superseded_at to decide it yourself)."""
        if "superseded_at" in kwargs or kwargs["status"] != ExitInterview.Status.FINAL:
            return super()._create(model_class, *args, **kwargs)
        interview = super()._create(model_class, *args, superseded_at=timezone.now(), **kwargs)
        if interview.lost_on:
            ExitInterview.objects.settle_loss(
                client_id=interview.client_id, lost_on=interview.lost_on, keep_pk=interview.pk
            )
        interview.superseded_at = None
        return interview


class FeedbackRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FeedbackRequest

    client = factory.SubFactory(ClientFactory)


class FeedbackResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FeedbackResponse

    request = factory.SubFactory(FeedbackRequestFactory)
    client = factory.LazyAttribute(lambda o: o.request.client)
    doing_right = "Your payroll team is quick."
    do_better = "Tell us before you bill for extra work."
    rating = 7


class LearningCheckFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LearningCheck

    respondent = factory.SubFactory(UserFactory)
    quarter = "2026Q4"
    item1 = 3
    item2 = 3
    item3 = 3
    item4 = 3
    item5 = 3


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    title = factory.Sequence(lambda n: f"Review {n}")
    facilitator = factory.SubFactory(UserFactory, roles=[Role.FACILITATOR])
    scheduled_for = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=1))


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    review = factory.SubFactory(ReviewFactory)
    user = factory.SubFactory(UserFactory)
    # Someone who joined; pass joined_at=None for a person only invited.
    joined_at = factory.LazyFunction(timezone.now)


class ContributionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contribution

    review = factory.SubFactory(ReviewFactory)
    phase = factory.LazyAttribute(lambda o: o.review.phase)
    text = factory.Sequence(lambda n: f"Note {n}: the escalation path was unclear.")
    author = factory.SubFactory(UserFactory)


class VoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vote

    contribution = factory.SubFactory(ContributionFactory)
    review = factory.LazyAttribute(lambda o: o.contribution.review)
    phase = factory.LazyAttribute(lambda o: o.contribution.phase)
    user = factory.SubFactory(UserFactory)
    slot = 1


class LessonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lesson

    statement_internal = "Clients need a named backup partner during busy season."
    statement_public = "Key clients need a named backup partner during busy season."


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    title = factory.Sequence(lambda n: f"Action {n}")
    owner = factory.SubFactory(UserFactory)
    due_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=14))


class ReminderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reminder

    action = factory.SubFactory(ActionFactory)
    kind = Reminder.Kind.DUE
    recipient = factory.LazyAttribute(lambda o: o.action.owner)
    scheduled_for = factory.LazyFunction(timezone.now)


class QuietPeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuietPeriod

    name = "Busy season"
    starts_on = dt.date(2027, 3, 1)
    ends_on = dt.date(2027, 4, 15)
