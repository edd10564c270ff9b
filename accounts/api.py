"""The REST API's plumbing, shared by every app's api.py: personal-token authentication, pages,
rate limits and errors (the classes the REST_FRAMEWORK setting names; the base views are in
accounts.api_views). Who may see or change what is not decided here: each endpoint starts
from its model's visible_to and asks the same rules its pages ask."""

import functools

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import authentication, exceptions, pagination, throttling
from rest_framework.response import Response

from . import tokens
from .paging import CappedPaginator


class TokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <token>` (or `Token <token>`) with a personal token from the
    person's settings. A revoked token, or one of someone who left, is refused with 401."""

    keywords = ("bearer", "token")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0].lower() not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Send the token as `Authorization: Bearer …`.")
        found = tokens.user_for(header[1])
        if found is None:
            raise exceptions.AuthenticationFailed("This token is not valid or was revoked.")
        return found

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


class Pagination(pagination.PageNumberPagination):
    """`?page=` and `?page_size=` (at most MAX_PAGE_SIZE). Like the list pages, rows are counted
    only a few pages past the one asked for: `count_is_lower_bound` says there may be more."""

    page_size = 25
    max_page_size = 100
    page_size_query_param = "page_size"

    def get_page_size(self, request):
        """A page size that is not a whole number from 1 up is a 400, not silently the default;
        one over the most is the most, as documented."""
        asked = request.query_params.get(self.page_size_query_param)
        if asked is not None and not (asked.isdecimal() and int(asked) > 0):
            raise exceptions.ValidationError(
                {self.page_size_query_param: [f"A whole number from 1 to {self.max_page_size}."]}
            )
        return super().get_page_size(request)

    def paginate_queryset(self, queryset, request, view=None):
        number = request.query_params.get(self.page_query_param) or 1
        # A view that already counted the rows (a search) says so in `counted`.
        counted = getattr(view, "counted", None)
        self.django_paginator_class = functools.partial(
            CappedPaginator, number=number, counted=counted
        )
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.page.paginator.count,
                "count_is_lower_bound": self.page.paginator.capped,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count_is_lower_bound"] = {"type": "boolean"}
        response["required"].append("count_is_lower_bound")
        return response


class PersonThrottle(throttling.UserRateThrottle):
    """API_RATE_LIMIT requests per person, whichever token or session they use."""

    scope = "person"

    def get_rate(self):
        return settings.API_RATE_LIMIT

    def get_cache_key(self, request, view):
        if not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


def exception_handler(exc, context):
    """DRF's answers, and a refusal from a model or service (Django's ValidationError) as 400
    with its messages by field; a message for no field comes back as `detail`."""
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            exc = exceptions.ValidationError(
                {
                    ("detail" if field == "__all__" else field): messages
                    for field, messages in exc.message_dict.items()
                }
            )
        else:
            exc = exceptions.ValidationError({"detail": exc.messages})
    # Imported here: DRF's views read this module's classes from the settings as they load.
    from rest_framework import views

    return views.exception_handler(exc, context)


def form_errors(form) -> exceptions.ValidationError:
    """A Django form's errors as the API's 400: messages by field, `detail` for the form's own."""
    return exceptions.ValidationError(
        {
            ("detail" if field == "__all__" else field): list(messages)
            for field, messages in form.errors.items()
        }
    )
