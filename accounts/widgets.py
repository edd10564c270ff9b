import json

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe


class QuickSelect(forms.Select):
    """A <select> whose options are written in Python rather than through one template include
    each.

    Django renders every option through `select_option.html`; a menu of a few hundred people
    then costs more than the rest of the page together (the action list's owner filter took
    85 % of the request with 400 people). The markup is Django's: the same attributes on the
    select, `selected` on the chosen options, an optgroup where the choices are grouped.
    """

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        groups = []
        for group_name, options, _index in widget["optgroups"]:
            html = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                (
                    (option["value"], " selected" if option["selected"] else "", option["label"])
                    for option in options
                ),
            )
            if group_name is not None:
                html = format_html('<optgroup label="{}">{}</optgroup>', group_name, html)
            groups.append(html)
        return format_html(
            '<select name="{}"{}>{}</select>',
            widget["name"],
            flatatt(widget["attrs"]),
            mark_safe("".join(groups)),  # each part was escaped by format_html above
        )


class QuickSelectMultiple(QuickSelect, forms.SelectMultiple):
    """QuickSelect for several choices (`multiple` comes from SelectMultiple's context)."""


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

    def optgroups(self, name, value, attrs=None):
        every = self.choices
        self.choices = self._few(every, value)
        try:
            return super().optgroups(name, value, attrs)
        finally:
            self.choices = every

    def _few(self, every, value):
        queryset = getattr(every, "queryset", None)
        if queryset is None:  # plain choices: nothing to trim
            return every
        chosen = chosen_ids(value)
        picked = list(queryset.filter(pk__in=chosen)) if chosen else []
        rest = queryset.exclude(pk__in=[obj.pk for obj in picked])[: self.preview]
        few = [every.choice(obj) for obj in [*picked, *rest]]
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
    """The ids among a select's submitted values; anything that is not a number is ignored."""
    values = value if isinstance(value, list | tuple) else [value]
    ids = []
    for item in values:
        text = str(item if item is not None else "").strip()
        if text.isdigit() and len(text) < 19:
            ids.append(int(text))
    return ids


def search_options(request, queryset, *, label=str, limit: int = 20, search=None):
    """The `<option>` elements a SearchSelect's search asks for: the chosen objects first
    (selected), then those matching `q` (by `search`, a function of the queryset and the text)."""
    field = request.GET.get("field", "")
    chosen = chosen_ids(request.GET.getlist(field)) if field else []
    picked = list(queryset.filter(pk__in=chosen)) if chosen else []
    text = request.GET.get("q", "").strip()[:100]
    matches = queryset.exclude(pk__in=[obj.pk for obj in picked])
    if text and search is not None:
        matches = search(matches, text)
    options = []
    if "blank" in request.GET:
        options.append(format_html('<option value="">{}</option>', request.GET["blank"][:100]))
    options += [
        format_html('<option value="{}" selected>{}</option>', o.pk, label(o)) for o in picked
    ]
    options += [
        format_html('<option value="{}">{}</option>', o.pk, label(o)) for o in matches[:limit]
    ]
    return mark_safe("".join(options))  # each one escaped by format_html
