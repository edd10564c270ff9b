"""A dashboard panel is one registered object: the snapshot, the page, the CSV export and the
charts read the registry, and a snapshot of an older data shape is computed again."""

import csv
import hashlib
import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from dashboard import panels, services
from dashboard.models import Snapshot
from dashboard.panels import PANELS, Panel

pytestmark = pytest.mark.django_db
URL = reverse("dashboard:index")
TEMPLATES = Path(settings.BASE_DIR) / "templates"


def _csv(response):
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_the_panel_registry_stores_every_registered_panel_in_the_snapshot_with_its_schema(firm):
    snapshot = services.refresh_snapshot(filters=services.default_filters(firm.today))
    assert list(snapshot.data) == list(PANELS)
    assert Snapshot.objects.get().schema == panels.SCHEMA_VERSION


def test_the_panel_registry_recomputes_a_snapshot_of_an_older_schema_instead_of_serving_it(
    client, firm, pat
):
    filters = services.default_filters(firm.today)
    Snapshot.objects.create(
        key=filters.key,
        data={"headline": {"clients_lost": 99}},  # an old shape, missing most panels
        computed_at=timezone.now(),
        schema=panels.SCHEMA_VERSION - 1,
        version=3,
        computed_version=3,
    )
    client.force_login(pat)
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["snapshot"].data["headline"]["clients_lost"] == 6
    stored = Snapshot.objects.get()
    assert (stored.schema, stored.data["headline"]["clients_lost"]) == (panels.SCHEMA_VERSION, 6)
    assert not stored.changed_since_computed
    for panel in PANELS:
        export = client.get(reverse("dashboard:export", kwargs={"panel": panel}))
        assert export.status_code == 200


def test_the_home_page_recomputes_an_old_snapshot_too(client, firm, pat):
    filters = services.default_filters(firm.today)
    Snapshot.objects.create(
        key=filters.key, data={"pareto": {}}, computed_at=timezone.now(), schema=0
    )
    client.force_login(pat)
    assert client.get(reverse("home")).context["headline"]["clients_lost"] == 6


def test_every_panel_has_its_own_small_template_and_a_section_on_the_page(client, firm, pat):
    client.force_login(pat)
    html = client.get(URL).content.decode()
    for panel in PANELS.values():
        source = (TEMPLATES / panel.template).read_text()
        assert max(len(line) for line in source.splitlines()) <= 120, panel.template
        assert f'id="{panel.anchor}"' in html
        assert f">{panel.title}</h2>" in html.replace("&#x27;", "'")
        export = reverse("dashboard:export", kwargs={"panel": panel.key})
        assert f'href="{export}?' in html


def test_the_page_template_is_short_and_only_loops_over_the_registry():
    for name in ("dashboard/index.html", "dashboard/_panels.html"):
        source = (TEMPLATES / name).read_text()
        assert len(source.splitlines()) < 60
        assert max(len(line) for line in source.splitlines()) <= 120
    assert "{% include panel.template %}" in source


def test_the_panel_registry_draws_every_chart_the_panels_name_on_a_canvas_of_that_name(
    client, firm, pat
):
    client.force_login(pat)
    response = client.get(URL)
    charts = response.context["charts"]()
    drawn = {"pareto_count", "pareto_fees", "funnel", "voice", "learning", "perception", "trend"}
    assert set(charts) >= drawn
    assert set(charts) >= {"seg-service_line", "seg-office", "seg-size_band"}
    html = response.content.decode()
    for name, chart in charts.items():
        assert f'id="chart-{name}"' in html
        assert chart["kind"] in {"pareto", "bars", "line", "perception", "trend"}


def test_a_new_panel_needs_only_its_registry_entry_for_the_snapshot_and_the_export(
    client, firm, pat, monkeypatch
):
    def open_actions_rows(data):
        yield ["Open actions", data["n"]]

    extra = Panel(
        "open_count",
        "Open actions",
        "Open actions today",
        lambda f: {"n": services.queries.headline(f)["open_actions"]},
        open_actions_rows,
    )
    monkeypatch.setitem(PANELS, "open_count", extra)
    client.force_login(pat)
    rows = _csv(client.get(reverse("dashboard:export", kwargs={"panel": "open_count"})))
    assert rows[0] == ["Open actions today, 2025-06-16 to 2026-06-15"]
    assert rows[1][0] == "Open actions"
    assert "open_count" in Snapshot.objects.get().data


def test_the_panel_registry_names_each_template_after_the_panel():
    for key, panel in PANELS.items():
        assert panel.key == key
        assert panel.template == f"dashboard/panels/{key}.html"


def _shape(value):
    """The keys a panel's data has, all the way down (list items merged), without the values."""
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in sorted(value.items())}
    if isinstance(value, list):
        merged = {}
        for item in value:
            shape = _shape(item)
            merged = {**merged, **shape} if isinstance(shape, dict) else {"": shape}
        return [merged]
    return "value"


# The shape of every panel's data at each schema version, as a short digest of _shape.
SHAPE_AT_SCHEMA = {1: "3c9a4e6aff27"}


def test_a_change_of_shape_comes_with_a_new_schema_version(firm):
    """A panel whose data gains, renames or drops a key must raise SCHEMA_VERSION (and record its
    new shape here), or the snapshots stored before it would be read with the wrong shape."""
    data = panels.compute(services.default_filters(firm.today))
    shape = json.dumps(_shape(data), sort_keys=True).encode()
    digest = hashlib.sha256(shape).hexdigest()[:12]
    assert digest == SHAPE_AT_SCHEMA[panels.SCHEMA_VERSION], (
        "A panel's data changed shape: raise dashboard.panels.SCHEMA_VERSION and record "
        f"{panels.SCHEMA_VERSION + 1}: {digest!r} in SHAPE_AT_SCHEMA."
    )
