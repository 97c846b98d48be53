"""The column-level lineage picture on an entity page, in Debian's Chromium: views that ada defines
over the CRM show each derived column linked to the source column it comes from, the link follows
focus and hover, and a user who may not see a source table finds no trace of it in the picture."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.app import create_app
from tests.server import LiveServer
from tests.ui.browser import api, guid_of, no_blocking_violations, screenshot, signed_in
from tests.ui.conftest import ui_config

pytestmark = pytest.mark.slow

#: ada defines these in workspace.shared, which sam reads (he may see customers, not contracts)
VIEWS = {
    "workspace.shared.contract_values": (
        "SELECT k.contract_id, k.value_eur * 2 AS value_doubled, c.region "
        "FROM crm.main.contracts k JOIN crm.main.customers c ON c.customer_id = k.customer_id"
    ),
    "workspace.shared.customer_regions": (
        "SELECT customer_id, region, upper(segment) AS segment_upper FROM crm.main.customers"
    ),
    "workspace.shared.region_summary": (
        "SELECT region, count(*) AS customers FROM workspace.shared.customer_regions GROUP BY region"
    ),
}

EDGE_GEOMETRY = """([from, to]) => {
  const path = document.querySelector(`.lineage-edges path[data-from="${from}"][data-to="${to}"]`);
  if (!path) return null;
  const graph = document.querySelector('.lineage-graph').getBoundingClientRect();
  const start = path.getPointAtLength(0);
  const end = path.getPointAtLength(path.getTotalLength());
  const box = (guid) => {
    const r = document.querySelector(`[data-anchor="${guid}"]`).getBoundingClientRect();
    return {left: r.left, right: r.right, top: r.top, bottom: r.bottom};
  };
  return {start: [start.x + graph.left, start.y + graph.top], end: [end.x + graph.left, end.y + graph.top],
          source: box(from), target: box(to), cls: path.getAttribute('class')};
}"""


@pytest.fixture(scope="module")
def lineage_server(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The demo with a catalog state of its own (the views are defined there, nowhere else)."""
    state = tmp_path_factory.mktemp("lineage-ui-state")
    with LiveServer(create_app(ui_config(demo_dir, state))) as live:
        for name, sql in VIEWS.items():
            answer = httpx.post(
                f"{live.url}/v1/datasets",
                json={"name": name, "kind": "view", "sql": sql},
                auth=("ada", "ada-demo-pw"),
                timeout=120,
            )
            assert answer.status_code in (200, 201), answer.text
        yield live


def _columns(server: LiveServer, table: str, *names: str) -> list[str]:
    return [guid_of(server, f"{table}.{name}") for name in names]


def _edge(page: Any, source: str, target: str) -> dict[str, Any]:
    found: dict[str, Any] | None = page.evaluate(EDGE_GEOMETRY, [source, target])
    assert found is not None, f"no line from {source} to {target}"
    return found


def _joins(edge: dict[str, Any]) -> None:
    """The line starts at the right side of the source column's row and ends at the left side of
    the target column's row (within the rows' heights): it links those two columns on screen."""
    (x1, y1), (x2, y2) = edge["start"], edge["end"]
    source, target = edge["source"], edge["target"]
    assert abs(x1 - source["right"]) < 2, edge
    assert source["top"] <= y1 <= source["bottom"], edge
    assert abs(x2 - target["left"]) < 2, edge
    assert target["top"] <= y2 <= target["bottom"], edge


def test_a_views_columns_link_to_the_source_columns_they_derive_from(
    browser: Any, lineage_server: LiveServer
) -> None:
    server = lineage_server
    view = guid_of(server, "workspace.shared.contract_values")
    contract_id, value_eur = _columns(server, "crm.main.contracts", "contract_id", "value_eur")
    (region,) = _columns(server, "crm.main.customers", "region")
    out_id, doubled, out_region = _columns(
        server, "workspace.shared.contract_values", "contract_id", "value_doubled", "region"
    )
    with signed_in(browser, server.url, "ada", "ada-demo-pw") as page:
        page.goto(f"/ui/entity/{view}")
        page.locator(".lineage-edges path.column-edge").first.wait_for()
        upstream = page.locator('.lineage-level[data-level="-1"]')
        assert sorted(upstream.locator(".lineage-node-head a").all_inner_texts()) == [
            "contracts",
            "customers",
        ]
        base = page.locator('.lineage-level[data-level="0"] .lineage-node.base')
        assert base.locator(".lineage-col a").all_inner_texts() == ["contract_id", "value_doubled", "region"]
        # each derived column is drawn linked to its source column, and only those lines exist
        for source, target in ((value_eur, doubled), (contract_id, out_id), (region, out_region)):
            _joins(_edge(page, source, target))
        pairs = {
            (p.get_attribute("data-from"), p.get_attribute("data-to"))
            for p in page.locator(".lineage-edges path.column-edge").all()
        }
        assert pairs == {(value_eur, doubled), (contract_id, out_id), (region, out_region)}
        # the words say the same (what screen readers and narrow screens get)
        assert base.locator('[data-column="value_doubled"] .from').inner_text() == "from contracts.value_eur"
        screenshot(page, "lineage-view-columns")
        no_blocking_violations(page)

        # keyboard: focus a column, its path lights up; Tab moves on and the highlight follows
        page.locator('[data-column="value_doubled"] a').focus()
        assert "on-path" in _edge(page, value_eur, doubled)["cls"]
        assert "on-path" not in _edge(page, region, out_region)["cls"]
        assert "on-path" in (page.locator(f'[data-anchor="{value_eur}"]').get_attribute("class") or "")
        assert "on-path" not in (page.locator(f'[data-anchor="{region}"]').get_attribute("class") or "")
        screenshot(page, "lineage-view-focus")
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.textContent") == "region"
        assert "on-path" in _edge(page, region, out_region)["cls"]
        assert "on-path" not in _edge(page, value_eur, doubled)["cls"]
        # the pointer does the same
        page.locator(f'[data-anchor="{contract_id}"]').hover()
        assert "on-path" in _edge(page, contract_id, out_id)["cls"]

        # a path over two steps: customers.region → customer_regions.region → region_summary.region
        middle = guid_of(server, "workspace.shared.customer_regions")
        (middle_region,) = _columns(server, "workspace.shared.customer_regions", "region")
        (summary_region,) = _columns(server, "workspace.shared.region_summary", "region")
        page.goto(f"/ui/entity/{middle}")
        page.locator(".lineage-edges path.column-edge").first.wait_for()
        assert "region_summary" in page.locator('.lineage-level[data-level="1"]').inner_text()
        _joins(_edge(page, region, middle_region))
        _joins(_edge(page, middle_region, summary_region))
        page.locator(f'[data-anchor="{middle_region}"] a').focus()
        for source, target in ((region, middle_region), (middle_region, summary_region)):
            assert "on-path" in _edge(page, source, target)["cls"]
        # a column's own page: its lineage at column level, box to box
        page.goto(f"/ui/entity/{middle_region}")
        page.locator(".lineage-edges path.node-edge").first.wait_for()
        assert page.locator('.lineage-level[data-level="-1"] .lineage-node-head a').all_inner_texts() == [
            "customers.region"
        ]
        assert page.locator('.lineage-level[data-level="1"] .lineage-node-head a').all_inner_texts() == [
            "region_summary.region"
        ]
        assert page.locator(".lineage-edges path.node-edge").count() == 2
        assert page.locator(".lineage-edges path.coarse").count() == 0  # column to column: exact
        screenshot(page, "lineage-column-page")
        page.go_back()
        # the box links to the table's own page, which draws the same lines from its side
        page.locator(".lineage-node-head a", has_text="region_summary").click()
        page.locator("h1", has_text="region_summary").wait_for()
        page.locator(".lineage-edges path.column-edge").first.wait_for()
        _joins(_edge(page, middle_region, summary_region))
        assert page.console_errors.errors == []


def test_a_user_who_may_not_see_the_source_finds_no_trace_of_it(
    browser: Any, lineage_server: LiveServer
) -> None:
    server = lineage_server
    view = guid_of(server, "workspace.shared.contract_values")
    contracts = guid_of(server, "crm.main.contracts")
    customers = guid_of(server, "crm.main.customers")
    middle = guid_of(server, "workspace.shared.customer_regions")
    # root sees contracts feeding the view: the checks below are not vacuous
    assert contracts in api(server, f"/v1/lineage/{view}")["guidEntityMap"]
    # sam reads the view (workspace.shared) and customers, never contracts
    assert httpx.get(f"{server.url}/v1/entities/{contracts}", auth=("sam", "sam-demo-pw")).status_code == 404
    traces = ("crm.main.contracts", "contracts", "value_eur", contracts.lower())
    with signed_in(browser, server.url, "sam", "sam-demo-pw") as page:
        page.goto(f"/ui/entity/{view}")
        page.locator("h1", has_text="contract_values").wait_for()
        page.wait_for_load_state("networkidle")
        lineage = page.locator("section[aria-labelledby=lineage-h]")
        # the view's step names contracts, so sam sees none of it: not even the customers half
        assert lineage.inner_text().strip().endswith("No lineage recorded.")
        html = page.content().lower()
        for trace in traces:
            assert trace not in html, trace
        screenshot(page, "lineage-view-hidden-source")

        # where he may see every end, he sees the lines
        page.goto(f"/ui/entity/{middle}")
        page.locator(".lineage-edges path.column-edge").first.wait_for()
        (region,) = _columns(server, "crm.main.customers", "region")
        (middle_region,) = _columns(server, "workspace.shared.customer_regions", "region")
        _joins(_edge(page, region, middle_region))

        # customers' page: its visible consumers, never the view that also reads contracts
        page.goto(f"/ui/entity/{customers}")
        page.locator(".lineage-edges path.column-edge").first.wait_for()
        page.wait_for_load_state("networkidle")
        downstream = page.locator('.lineage-level[data-level="1"]').inner_text()
        assert "customer_regions" in downstream
        html = page.content().lower()
        # (its column descriptions mention contracts in words: the names and guids are the traces)
        for trace in ("crm.main.contracts", "value_eur", contracts.lower(), "contract_values", view.lower()):
            assert trace not in html, trace
        screenshot(page, "lineage-customers-as-sam")
        no_blocking_violations(page)
        assert page.console_errors.errors == []


def test_the_picture_at_390_px_in_dark_mode(browser: Any, lineage_server: LiveServer) -> None:
    server = lineage_server
    view = guid_of(server, "workspace.shared.contract_values")
    with signed_in(
        browser,
        server.url,
        "ada",
        "ada-demo-pw",
        viewport={"width": 390, "height": 844},
        color_scheme="dark",
    ) as page:
        page.goto(f"/ui/entity/{view}")
        page.locator(".lineage-graph").wait_for()
        page.wait_for_load_state("networkidle")
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways at 390 px ({width} px)"
        # the steps stack; the lines give way to words
        assert not page.locator(".lineage-edges").is_visible()
        words = page.locator('[data-column="value_doubled"] .from')
        assert words.is_visible()
        assert words.inner_text() == "from contracts.value_eur"
        levels = page.locator(".lineage-level").all()
        tops = [level.bounding_box()["y"] for level in levels]  # type: ignore[index]
        assert tops == sorted(tops)
        assert len(set(tops)) == len(tops)
        screenshot(page, "lineage-mobile-dark")
        no_blocking_violations(page)
        assert page.console_errors.errors == []
