import json

from django import forms
from django.forms.utils import flatatt
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from . import caching
from .ids import parse_ids


class QuickSelect(forms.Select):
    """A <select> whose options are written in Python rather than through one template include
    each.

    Django renders every option through `select_option.html`; a menu of a few hundred people
    then costs more than the rest of the page together (the action list's owner filter took
    85 % of the request with 400 people). The markup is Django's: the same attributes on the
    select, `selected` on the chosen options, an optgroup where the choices are grouped.
    """

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            attrs["multiple"] = True
        chosen = {str(v) for v in self.format_value(value)}
        html = [f'<select name="{escape(name)}"{flatatt(attrs)}>']
        for option_value, label in self.choices_to_render(value):
            if isinstance(label, list | tuple):
                html.append(f'<optgroup label="{escape(option_value)}">')
                html.extend(self._option(v, text, chosen) for v, text in label)
                html.append("</optgroup>")
            else:
                html.append(self._option(option_value, label, chosen))
        html.append("</select>")
        return mark_safe("".join(html))  # every value and label is escaped

    def choices_to_render(self, value):
        return self.choices

    @staticmethod
    def _option(value, label, chosen) -> str:
        value = "" if value is None else str(value)
        selected = " selected" if value in chosen else ""
        return f'<option value="{escape(value)}"{selected}>{escape(label)}</option>'


class QuickSelectMultiple(QuickSelect, forms.SelectMultiple):
    """QuickSelect for several choices."""


class CachedMenu(QuickSelect):
    """A menu of hundreds of people read by a query too slow to run on every view of a list
    page: `menu()` gives its (value, label) choices, and their written-out options are kept
    (accounts.caching) until the data named `of` changes. Each view only marks the chosen
    option; the field still checks a submitted value against the database."""

    def __init__(self, *, key: str, menu, of: tuple[str, ...], attrs=None):
        super().__init__(attrs)
        self.key, self.menu, self.of = f"menu:{key}", menu, of

    def _written_options(self) -> list[tuple[str, str]]:
        return [
            ("" if value is None else str(value), self._option(value, label, set()))
            for value, label in self.menu()
        ]

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        chosen = {str(v) for v in self.format_value(value)}
        options = caching.latest(self.key, self._written_options, of=self.of)
        return mark_safe(  # the options were escaped when they were written
            f'<select name="{escape(name)}"{flatatt(attrs)}>'
            + "".join(
                line.replace('">', '" selected>', 1) if option in chosen else line
                for option, line in options
            )
            + "</select>"
        )


class SearchSelect(QuickSelect):
    """A choice among thousands of objects (clients at a large firm): the select holds only the
    chosen options and the first `preview` ones, and a search box above it asks the server for
    matching options as the user types (htmx, no script of our own).

    The field still validates against its whole queryset, so any object the user may pick is
    accepted. `search_url` answers GET `q` (the search text), `field` (the select's name, whose
    current values come along so chosen options stay) and `blank` (the empty choice's label, for
    an optional single choice) with `<option>` elements: see `search_options`.
    """

    preview = 20

    def __init__(self, search_url, attrs=None, *, placeholder="Type to search"):
        super().__init__(attrs)
        self.search_url = search_url
        self.placeholder = placeholder

    def choices_to_render(self, value):
        every = self.choices
        queryset = getattr(every, "queryset", None)
        if queryset is None:  # plain choices: nothing to trim
            return every
        picked, rest = _chosen_first(queryset, chosen_ids(value))
        few = [every.choice(obj) for obj in [*picked, *rest[: self.preview]]]
        blank = every.field.empty_label
        if blank is not None and not self.allow_multiple_selected:
            few.insert(0, ("", blank))
        return few

    def render(self, name, value, attrs=None, renderer=None):
        select = super().render(name, value, attrs, renderer)
        blank = getattr(getattr(self.choices, "field", None), "empty_label", None)
        query = {"field": name}
        if blank is not None and not self.allow_multiple_selected:
            query["blank"] = str(blank)
        return format_html(
            '<input type="search" name="q" class="form-control form-control-sm mb-1" '
            'autocomplete="off" placeholder="{}" aria-label="{}" hx-get="{}" '
            'hx-trigger="input changed delay:300ms, search" hx-target="next select" '
            'hx-swap="innerHTML" hx-include="next select" hx-vals=\'{}\' hx-sync="this:replace">'
            "{}",
            self.placeholder,
            self.placeholder,
            str(self.search_url),
            json.dumps(query),
            select,
        )


class SearchSelectMultiple(SearchSelect, forms.SelectMultiple):
    """SearchSelect for several choices: chosen options stay in the list while searching."""


def chosen_ids(value) -> list[int]:
    """The ids among a select's submitted values; anything that is not an id is ignored."""
    return parse_ids(value if isinstance(value, list | tuple) else [value])


def _chosen_first(queryset, ids: list[int]):
    """The chosen objects (a list) and the queryset of the others, for a menu that lists the
    chosen ones first."""
    picked = list(queryset.filter(pk__in=ids)) if ids else []
    return picked, queryset.exclude(pk__in=[obj.pk for obj in picked])


def search_options(request, queryset, *, label=str, limit: int = 20, search=None):
    """The `<option>` elements a SearchSelect's search asks for: the chosen objects first
    (selected), then those matching `q` (by `search`, a function of the queryset and the text)."""
    field = request.GET.get("field", "")
    chosen = chosen_ids(request.GET.getlist(field)) if field else []
    picked, matches = _chosen_first(queryset, chosen)
    text = request.GET.get("q", "").strip()[:100]
    if text and search is not None:
        matches = search(matches, text)
    selected = {str(obj.pk) for obj in picked}
    options = []
    if "blank" in request.GET:
        options.append(QuickSelect._option("", request.GET["blank"][:100], selected))
    for obj in [*picked, *matches[:limit]]:
        options.append(QuickSelect._option(obj.pk, label(obj), selected))
    return mark_safe("".join(options))  # QuickSelect._option escapes each value and label
