from django.contrib import admin

from .models import (
    AuditSchedule,
    Contribution,
    Lesson,
    Participant,
    Review,
    Vote,
    WhyProposal,
    WhyStep,
)


class ParticipantInline(admin.TabularInline):
    """Who was invited and who joined. Speak-freely ratings are anonymous, so admin neither
    shows nor edits a person's rating."""

    model = Participant
    extra = 0
    fields = ["user", "joined_at"]
    autocomplete_fields = ["user"]


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "status", "phase", "facilitator", "scheduled_for"]
    list_filter = ["status", "kind"]
    search_fields = ["title", "join_code"]
    autocomplete_fields = ["facilitator", "clients", "exit_interviews"]
    readonly_fields = ["version", "created_by", "created_at", "started_at", "closed_at"]
    inlines = [ParticipantInline]


@admin.register(Contribution)
class ContributionAdmin(admin.ModelAdmin):
    """Where a partner handles abuse: only partners see who wrote an anonymous note."""

    list_display = ["__str__", "review", "phase", "anonymous", "hidden"]
    list_filter = ["anonymous", "hidden", "phase"]
    search_fields = ["text", "review__title"]
    raw_id_fields = ["review", "merged_into"]
    readonly_fields = ["blame_flags", "created_at", "updated_at"]

    def _sees_authors(self, request) -> bool:
        return request.user.is_partner

    def get_list_display(self, request):
        extra = ["author"] if self._sees_authors(request) else []
        return [*self.list_display, *extra]

    def get_exclude(self, request, obj=None):
        return [] if self._sees_authors(request) else ["author"]

    def get_search_fields(self, request):
        extra = ["author__username"] if self._sees_authors(request) else []
        return [*self.search_fields, *extra]


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    list_display = ["contribution", "user", "phase", "slot"]
    raw_id_fields = ["review", "contribution", "user"]


@admin.register(WhyStep)
class WhyStepAdmin(admin.ModelAdmin):
    list_display = ["cause", "depth", "text"]
    raw_id_fields = ["cause", "author"]


@admin.register(WhyProposal)
class WhyProposalAdmin(admin.ModelAdmin):
    """Like notes: only partners see who proposed an anonymous why."""

    list_display = ["__str__", "review", "status", "anonymous"]
    list_filter = ["status", "anonymous"]
    search_fields = ["text", "review__title"]
    raw_id_fields = ["review", "cause", "step"]
    readonly_fields = ["blame_flags", "created_at", "decided_at"]

    def get_list_display(self, request):
        extra = ["author"] if request.user.is_partner else []
        return [*self.list_display, *extra]

    def get_exclude(self, request, obj=None):
        return [] if request.user.is_partner else ["author"]


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    list_display = ["__str__", "category", "status", "published_at"]
    list_filter = ["status", "category", "service_lines"]
    search_fields = ["statement_internal", "statement_public"]
    raw_id_fields = ["review"]
    filter_horizontal = ["service_lines"]


@admin.register(AuditSchedule)
class AuditScheduleAdmin(admin.ModelAdmin):
    list_display = [
        "service_line",
        "frequency",
        "starts_on",
        "time_of_day",
        "facilitator",
        "status",
    ]
    list_filter = ["status", "frequency", "service_line"]
    autocomplete_fields = ["facilitator"]
    readonly_fields = ["created_by", "created_at", "updated_at"]
