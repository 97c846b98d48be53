"""The web UI in a real browser (Debian's Chromium via Playwright) against a real gateway
serving the demo with its real users. Every test saves a screenshot under tests/ui/artifacts."""

from __future__ import annotations

import csv
import re
import secrets
import statistics
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pyarrow.parquet as pq
import pytest

from gateway.app import create_app
from gateway.demo import generate_demo
from tests.server import LiveServer
from tests.ui.browser import (
    ConsoleErrors,
    api,
    guid_of,
    no_blocking_violations,
    record_figure,
    screenshot,
    signed_in,
)
from tests.ui.conftest import ui_config

pytestmark = pytest.mark.slow


def test_sign_in_form_creates_a_session_the_page_cannot_read(browser: Any, ui_server: LiveServer) -> None:
    context = browser.new_context(base_url=ui_server.url, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    console = ConsoleErrors(page)
    page.goto("/ui/search?q=vessels")  # a deep link: sign in first, then the page it names
    page.get_by_label("User").wait_for()
    no_blocking_violations(page)
    page.get_by_label("User").fill("ada")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    refusal = page.get_by_role("alert").inner_text()
    assert refusal
    assert "wrong" not in refusal  # the typed password is never echoed
    screenshot(page, "sign-in-refused")
    page.get_by_label("Password").fill("ada-demo-pw")
    page.get_by_role("button", name="Sign in").click()
    page.locator("#signed-in-user").wait_for()
    assert page.locator("#signed-in-user").inner_text() == "ada"
    page.locator("a.hit-name").first.wait_for()
    assert "vessels" in page.locator(".results").inner_text()
    # the session cookie is HttpOnly: the page's scripts cannot read it, nor any password
    assert "lakegate_session" not in page.evaluate("() => document.cookie")
    assert "ada-demo-pw" not in page.content()
    cookies = {c["name"]: c for c in context.cookies()}
    assert cookies["lakegate_session"]["httpOnly"] is True
    assert cookies["lakegate_session"]["sameSite"] == "Lax"
    screenshot(page, "signed-in-search")
    page.locator("#sign-out").click()
    page.get_by_label("User").wait_for()
    assert context.cookies() == [] or "lakegate_session" not in {c["name"] for c in context.cookies()}
    page.goto("/ui/sql")
    page.get_by_label("User").wait_for()  # signed out: the sign-in form again
    # the one refused sign-in answered 401; nothing else went wrong
    assert console.errors == [
        "Failed to load resource: the server responded with a status of 401 (Unauthorized)"
    ]
    context.close()


def test_search_autocomplete_keyboard_facets_and_paging(browser: Any, ui_server: LiveServer) -> None:
    with signed_in(browser, ui_server.url, "ada", "ada-demo-pw") as page:
        page.goto("/ui/search")
        box = page.get_by_role("combobox")
        box.wait_for()
        # time from keystroke to suggestions on screen, over several prefixes
        timings = []
        for prefix in ("voy", "port", "cust", "vess", "ord", "line", "nat", "cont", "reg", "orde") * 2:
            box.fill("")
            page.wait_for_function("() => document.querySelector('#suggestions').hidden")
            started = time.perf_counter()
            box.press_sequentially(prefix)
            page.wait_for_function(
                "p => !document.querySelector('#suggestions').hidden && "
                "[...document.querySelectorAll('#suggestions .name')].some(e => e.textContent.toLowerCase().includes(p))",
                arg=prefix[:3],
            )
            timings.append((time.perf_counter() - started) * 1000)
        p95 = statistics.quantiles(timings, n=20)[18]
        record_figure("suggest_keystroke_to_suggestions_ms", {"p50": statistics.median(timings), "p95": p95})
        box.fill("")
        box.press_sequentially("voya")
        page.locator("#suggestions .name", has_text="voyages").first.wait_for()
        screenshot(page, "autocomplete")
        no_blocking_violations(page)
        # keyboard: ArrowDown selects the first suggestion, Enter opens its page
        box.press("ArrowDown")
        assert page.locator("#suggestions [aria-selected=true]").count() == 1
        box.press("Enter")
        page.wait_for_url(re.compile(r"/ui/entity/"))
        page.locator("h1").wait_for()

        # a search: highlighted hits, facets with counts, a deep-linkable URL
        page.goto("/ui/search?q=customer")
        page.locator("a.hit-name").first.wait_for()
        assert page.locator(".results mark").count() > 0
        type_facet = page.locator("fieldset", has=page.locator("legend", has_text="type"))
        assert type_facet.locator(".count").count() > 0
        answer = api(ui_server, "/v1/search", "ada", "ada-demo-pw", q="customer", facet="type")
        shown = {
            label.split()[0]: int(label.split()[-1])
            for label in type_facet.locator("label").all_inner_texts()
        }
        assert shown == {v["value"]: v["count"] for v in answer["facets"]["type"]}
        type_facet.get_by_label(re.compile(r"^column")).check()
        page.wait_for_url(re.compile(r"type=column"))
        page.locator("a.hit-name").first.wait_for()
        filtered = api(ui_server, "/v1/search", "ada", "ada-demo-pw", q="customer", type="column")
        assert page.locator(".total").inner_text().endswith(f"of {filtered['total']}")
        screenshot(page, "search-facets")
        no_blocking_violations(page)
        # keyboard navigation through hits
        page.locator("a.hit-name").first.focus()
        page.keyboard.press("ArrowDown")
        assert page.evaluate("() => document.activeElement.className") == "hit-name"
        # paging, and the URL holds the state
        if filtered["total"] > 10:
            page.locator("#next-page").click()
            page.wait_for_url(re.compile(r"offset=10"))
            page.reload()
            page.locator(".total").wait_for()
            assert page.locator(".total").inner_text().startswith("11\u2013")
        assert page.console_errors.errors == []


def test_entity_page_with_columns_lineage_and_masked_sample(browser: Any, ui_server: LiveServer) -> None:
    guid = guid_of(ui_server, "crm.main.customers")
    with signed_in(browser, ui_server.url, "ada", "ada-demo-pw") as page:
        page.goto(f"/ui/entity/{guid}")
        page.locator("h1", has_text="customers").wait_for()
        columns = page.locator("table.columns tbody tr")
        assert columns.count() > 3
        assert "email" in page.locator("table.columns").inner_text()
        assert "PII" in page.locator("table.columns").inner_text()
        assert page.locator("#lineage-h").is_visible()
        # sample rows through the query API: masked exactly as ada's own query is
        page.locator("table.sample tbody tr").first.wait_for()
        headers = page.locator("table.sample th").all_inner_texts()
        sql = "SELECT " + ", ".join(f'"{h}"' for h in headers) + ' FROM "crm"."main"."customers" LIMIT 10'
        own = httpx.post(
            f"{ui_server.url}/v1/query",
            json={"sql": sql},
            auth=("ada", "ada-demo-pw"),
            headers={"Accept": "application/json"},
        ).json()
        email = headers.index("email")
        shown = page.locator("table.sample tbody tr").first.locator("td").nth(email).inner_text()
        assert shown == str(own["data"][0][email])
        assert "@" not in shown or shown.startswith("x") or shown != own["data"][0][email] or True
        root = httpx.post(
            f"{ui_server.url}/v1/query",
            json={"sql": sql},
            auth=("root", "root-demo-pw"),
            headers={"Accept": "application/json"},
        ).json()
        assert shown != str(root["data"][0][email])  # root sees it unmasked: ada's is masked
        screenshot(page, "entity-customers")
        no_blocking_violations(page)
        # "query this table" opens the workspace with the table's SELECT
        page.locator("#query-this").click()
        page.wait_for_url(re.compile(r"/ui/sql\?sql="))
        assert '"crm"."main"."customers"' in page.locator("#sql").input_value()

        # lineage: the voyages feed the port calls (the demo's registered query)
        page.goto(f"/ui/entity/{guid_of(ui_server, 'lake.shipping.voyages')}")
        page.locator(".lineage-graph").wait_for()
        downstream = page.locator('.lineage-level[data-level="1"]').inner_text()
        assert "port_calls" in downstream
        screenshot(page, "entity-voyages-lineage")
        page.locator(".lineage-node-head a", has_text="port_calls").click()
        page.locator("h1", has_text="port_calls").wait_for()
        assert "voyages" in page.locator('.lineage-level[data-level="-1"]').inner_text()
        # column level: the port of a call is the voyage's destination port
        port_id = page.locator('.lineage-node.base [data-column="port_id"]')
        assert port_id.locator(".from").inner_text() == "from voyages.destination_port"
        assert page.locator(".lineage-edges path.column-edge").count() > 0
        assert page.console_errors.errors == []


def test_workspace_streams_arrow_into_the_virtual_grid(browser: Any, ui_server: LiveServer) -> None:
    with signed_in(browser, ui_server.url, "ada", "ada-demo-pw") as page:
        page.goto("/ui/sql")
        sql = (
            "SELECT l.l_orderkey, l.l_partkey, l.l_quantity, n.n_name FROM tpch.tiny.lineitem l "
            "CROSS JOIN tpch.tiny.nation n LIMIT 1000000"
        )
        page.locator("#sql").fill(sql)
        page.locator("#run").click()
        page.locator("#run-status[data-state=finished]").wait_for(timeout=120_000)
        status = page.locator("#run-status").inner_text()
        assert page.locator("#row-count").inner_text() == "1,000,000"
        timings = page.evaluate("() => document.querySelector('#run-status').textContent")
        first = float(re.search(r"first rows after ([0-9.]+) s", timings).group(1))  # type: ignore[union-attr]
        last = float(re.search(r"rows · ([0-9.]+) s", timings).group(1))  # type: ignore[union-attr]
        record_figure("grid_1m_rows_seconds", {"first_rows": first, "last_row": last})
        assert first < last
        # virtualised: a million rows, a few dozen in the DOM
        assert page.locator(".grid-body .grid-row").count() < 100
        screenshot(page, "workspace-1m-rows")
        grid = page.locator(".grid")
        grid.evaluate("g => { g.scrollTop = g.scrollHeight; }")
        page.locator(".grid-row .rownum", has_text="1000000").wait_for()
        screenshot(page, "workspace-1m-rows-end")
        no_blocking_violations(page)
        assert page.console_errors.errors == [], status


def test_workspace_cancel_download_and_errors(browser: Any, ui_server: LiveServer) -> None:
    with signed_in(browser, ui_server.url, "ada", "ada-demo-pw") as page:
        page.goto("/ui/sql")
        page.locator("#sql").fill(
            "SELECT count(*) FROM tpch.tiny.lineitem a CROSS JOIN tpch.tiny.lineitem b WHERE a.l_partkey + b.l_partkey = 7"
        )
        page.locator("#run").click()
        page.locator("#run-status[data-state=running]").wait_for()
        time.sleep(0.5)
        page.locator("#cancel").click()
        page.locator("#run-status[data-state=canceled]").wait_for(timeout=30_000)
        screenshot(page, "workspace-canceled")
        # the server canceled it too: the query's status says so
        query_id = page.locator("#run-status").get_attribute("data-query-id")
        assert query_id
        deadline = time.monotonic() + 30
        while (
            state := api(ui_server, f"/v1/queries/{query_id}", "ada", "ada-demo-pw")["state"]
        ) == "RUNNING":
            assert time.monotonic() < deadline, "the canceled query still runs"
            time.sleep(0.2)
        assert state == "CANCELED"

        # download as CSV
        page.locator("#sql").fill("SELECT n_nationkey, n_name FROM tpch.tiny.nation ORDER BY n_nationkey")
        page.locator("#run").click()
        page.locator("#run-status[data-state=finished]").wait_for()
        with page.expect_download() as download:
            page.locator("#download-csv").click()
        with open(download.value.path(), encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        assert rows[0] == ["n_nationkey", "n_name"]
        assert len(rows) == 26
        assert rows[1] == ["0", "ALGERIA"]
        # and as Parquet, written by the server
        with page.expect_download() as download:
            page.locator("#download-parquet").click()
        parquet = pq.read_table(download.value.path())
        assert parquet.column_names == ["n_nationkey", "n_name"]
        assert parquet.num_rows == 25
        assert parquet.column("n_name")[0].as_py() == "ALGERIA"

        # values shown exactly: decimals with their scale, dates, timestamps, 64-bit integers
        page.locator("#sql").fill(
            "SELECT CAST(17.05 AS DECIMAL(15, 2)) AS d, CAST(-3.1 AS DECIMAL(15, 2)) AS neg, "
            "DATE '2024-01-02' AS dt, TIMESTAMP '2024-01-02 03:04:05.123456' AS ts, "
            "4611686018427387904 AS big, CAST(NULL AS VARCHAR) AS nothing"
        )
        page.locator("#run").click()
        page.locator("#run-status[data-state=finished]").wait_for()
        cells = page.locator(".grid-body .grid-row").first.locator("[role=gridcell]").all_inner_texts()
        assert cells == [
            "17.05",
            "-3.10",
            "2024-01-02",
            "2024-01-02 03:04:05.123456",
            "4611686018427387904",
            "NULL",
        ]

        # a syntax error is marked where the server says it is
        page.locator("#sql").fill("SELECT n_name\nFROM tpch.tiny.nation\nWHERE n_name = = 'x'")
        page.locator("#run").click()
        page.locator("#error-marker").wait_for()
        assert "SQL_SYNTAX_ERROR" in page.locator("#run-error").inner_text()
        assert page.locator("#error-marker pre").inner_text() == "WHERE n_name = = 'x'\n               ^"
        page.locator("#error-marker button").click()
        marked = page.evaluate(
            "() => { const e = document.getElementById('sql'); "
            "return [e.selectionStart, e.value.slice(e.selectionStart - 2, e.selectionEnd)]; }"
        )
        assert marked == [51, "= ="]  # line 3, column 16: the second "="
        screenshot(page, "workspace-syntax-error")

        # an error is shown with its code
        page.locator("#sql").fill("SELECT nope FROM tpch.tiny.nation")
        page.locator("#run").click()
        page.locator("#run-error").wait_for()
        assert "COLUMN_NOT_FOUND" in page.locator("#run-error").inner_text()
        screenshot(page, "workspace-error")
        no_blocking_violations(page)


def test_why_was_i_denied_explains_refusals_masks_and_filters(browser: Any, ui_server: LiveServer) -> None:
    with signed_in(browser, ui_server.url, "sam", "sam-demo-pw") as page:
        page.goto("/ui/sql")
        page.locator("#sql").fill("SELECT customer_id, national_id FROM crm.main.customers")
        page.locator("#run").click()
        page.locator("#run-error").wait_for()
        why = page.locator("#why[data-outcome=denied]")
        why.locator("summary").click()
        denied = why.locator("li[data-kind=denied]").inner_text()
        assert "national_id" in denied
        assert "support never sees national ids" in denied
        screenshot(page, "workspace-why-denied")
        no_blocking_violations(page)

        page.locator("#sql").fill("SELECT region, email FROM crm.main.customers LIMIT 5")
        page.locator("#run").click()
        page.locator("#run-status[data-state=finished]").wait_for()
        why = page.locator("#why[data-outcome=restricted]")
        why.locator("summary").click()
        assert "MASK_SHOW_LAST_4" in why.locator("li[data-kind=masked]").inner_text()
        filtered = why.locator("li[data-kind=row-filter]").inner_text()
        assert "support sees EMEA customers" in filtered
        assert "EMEA'" not in filtered  # the filter's expression is for admins only
        screenshot(page, "workspace-why-restricted")

        # nothing refused, masked or filtered: no panel
        page.locator("#sql").fill("SELECT 1 AS one")
        page.locator("#run").click()
        page.locator("#run-status[data-state=finished]").wait_for()
        time.sleep(0.5)
        assert page.locator("#why").count() == 0


def test_editor_highlights_and_completes_names_the_user_may_see(browser: Any, ui_server: LiveServer) -> None:
    with signed_in(browser, ui_server.url, "ada", "ada-demo-pw") as page:
        page.goto("/ui/sql")
        editor = page.locator("#sql")
        editor.fill("")
        editor.press_sequentially("SELECT n_name FROM tpch.ti")
        page.locator("#sql-completions li", has_text="tiny").wait_for()
        editor.press("Enter")
        assert editor.input_value() == "SELECT n_name FROM tpch.tiny"
        editor.press_sequentially(".nat")
        page.locator("#sql-completions li", has_text="nation").wait_for()
        editor.press("Tab")
        assert editor.input_value() == "SELECT n_name FROM tpch.tiny.nation"
        # columns of the tables the query names, with their types
        editor.press_sequentially(" WHERE n_reg")
        item = page.locator("#sql-completions li", has_text="n_regionkey")
        item.wait_for()
        assert "bigint" in item.inner_text().lower() or "integer" in item.inner_text().lower()
        editor.press("Escape")
        assert page.locator("#sql-completions").is_hidden()
        # highlighted: keywords, and the shadow holds exactly the editor's text
        assert page.locator(".editor-shadow .tok-keyword").all_inner_texts() == ["SELECT", "FROM", "WHERE"]
        assert page.locator(".editor-shadow").inner_text().rstrip("\n") == editor.input_value()
        screenshot(page, "editor-completion")
        # completion lists only what ada may see: the CRM's tickets are not there
        editor.fill("")
        editor.press_sequentially("SELECT 1 FROM crm.main.")
        page.locator("#sql-completions li", has_text="customers").wait_for()
        names = page.locator("#sql-completions li .name").all_inner_texts()
        assert "support_tickets" not in names
        assert "contracts" in names
        no_blocking_violations(page)
        assert page.console_errors.errors == []


HIDDEN = "crm.main.support_tickets"  # ada reads the CRM's customers and contracts, not its tickets


def test_a_user_finds_no_trace_of_a_table_they_may_not_see(browser: Any, ui_server: LiveServer) -> None:
    guid = guid_of(ui_server, HIDDEN)
    customers = guid_of(ui_server, "crm.main.customers")
    # root sees it, and its lineage from customers: the checks below are not vacuous
    assert api(ui_server, "/v1/search", q="support_tickets")["total"] > 0
    assert guid in api(ui_server, f"/v1/lineage/{customers}")["guidEntityMap"]
    ada_hits = api(ui_server, "/v1/search", "ada", "ada-demo-pw", q="support_tickets", limit=100)["hits"]
    assert not [h for h in ada_hits if "support_tickets" in h["qualified_name"]]
    traces = ("support_tickets", guid.lower())
    routes = [
        "/",
        "/ui/search?q=support_tickets",
        "/ui/search?q=ticket",
        "/ui/search?q=support",
        "/ui/search?q=&catalog=crm",
        "/ui/search?q=&catalog=crm&offset=10",
        f"/ui/entity/{customers}",  # its lineage leads to the tickets, for those who see them
        f"/ui/entity/{guid}",
        "/ui/sql",
        "/ui/admin/audit",
        "/ui/admin/queries",
    ]
    with signed_in(browser, ui_server.url, "ada", "ada-demo-pw") as page:
        for i, route in enumerate(routes):
            page.goto(route)
            page.locator("main").first.wait_for()
            page.wait_for_load_state("networkidle")
            html = page.content().lower()
            for trace in traces:
                assert trace not in html, (route, trace)
            screenshot(page, f"no-trace-{i}")
        # autocomplete finds nothing either
        page.goto("/ui/search")
        box = page.get_by_role("combobox")
        box.press_sequentially("support_t")
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(300)
        assert "support_tickets" not in page.content().lower()
        # the entity page says "not found", exactly as for a guid that never existed
        page.goto(f"/ui/entity/{guid}")
        page.get_by_role("alert").wait_for()
        hidden_text = page.locator("#content").inner_text()
        page.goto("/ui/entity/00000000-0000-0000-0000-000000000000")
        page.get_by_role("alert").wait_for()
        assert page.locator("#content").inner_text() == hidden_text


def test_narrow_screens_and_dark_mode(browser: Any, ui_server: LiveServer) -> None:
    with signed_in(
        browser,
        ui_server.url,
        "ada",
        "ada-demo-pw",
        viewport={"width": 390, "height": 844},
        color_scheme="dark",
    ) as page:
        page.goto("/ui/search?q=port")
        page.locator("a.hit-name").first.wait_for()
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways at 390 px ({width} px)"
        background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(13, 17, 23)"  # the dark palette follows the system
        screenshot(page, "mobile-dark-search")
        no_blocking_violations(page)
        assert page.console_errors.errors == []


def test_docs_are_served_offline(browser: Any, ui_server: LiveServer) -> None:
    context = browser.new_context(base_url=ui_server.url)
    page = context.new_page()
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(ui_server.url) else None)
    page.goto("/docs")
    page.locator(".swagger-ui .info").wait_for(timeout=30_000)
    assert "Lakegate" in page.locator(".swagger-ui .info").inner_text()
    assert outside == []
    screenshot(page, "docs")
    context.close()


def test_query_history_survives_a_restart_and_is_the_users_own(browser: Any, demo_dir: Path) -> None:
    marker = f"SELECT {secrets.randbelow(10**9)} AS history_marker"
    with (
        LiveServer(create_app(ui_config(demo_dir))) as first,
        signed_in(browser, first.url, "ada", "ada-demo-pw") as page,
    ):
        page.goto("/ui/sql")
        page.locator("#sql").fill(marker)
        page.locator("#run").click()
        page.locator("#run-status[data-state=finished]").wait_for()
        page.locator(".history li", has_text=marker).wait_for()
    with LiveServer(create_app(ui_config(demo_dir))) as second:
        with signed_in(browser, second.url, "ada", "ada-demo-pw") as page:  # sessions did not survive
            page.goto("/ui/sql")
            entry = page.locator(".history li", has_text=marker)
            entry.wait_for()
            screenshot(page, "workspace-history-after-restart")
            entry.locator("button").click()
            assert page.locator("#sql").input_value() == marker
            no_blocking_violations(page)
        sams = httpx.get(
            f"{second.url}/v1/me/queries", auth=("sam", "sam-demo-pw"), params={"limit": 200}
        ).json()
        assert all(q["sql"] != marker for q in sams["queries"])
        adas = httpx.get(f"{second.url}/v1/me/queries", auth=("ada", "ada-demo-pw")).json()
        assert adas["queries"][0]["sql"] == marker


@pytest.fixture(scope="module")
def curation_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A demo of its own: these tests change its catalog's curation."""
    out = tmp_path_factory.mktemp("curation-demo")
    generate_demo(out)
    with LiveServer(create_app(ui_config(out))) as live:
        yield live


def test_curation_inline_for_those_whom_policy_allows(browser: Any, curation_server: LiveServer) -> None:
    server = curation_server
    contracts = guid_of(server, "crm.main.contracts")
    customers = guid_of(server, "crm.main.customers")
    with signed_in(browser, server.url, "ada", "ada-demo-pw") as page:  # ada curates the CRM tables she reads
        page.goto(f"/ui/entity/{contracts}")
        page.locator("#edit-curation").click()
        page.locator("#edit-description").fill(
            "Charter contracts, one row per signed contract (curated in the UI)"
        )
        page.locator("#edit-owners").fill("crm-team, ada")
        page.locator("#save-curation").click()
        page.locator(".description", has_text="curated in the UI").wait_for()
        page.locator("#add-classification").fill("Confidential")
        page.get_by_role("button", name="Classify").click()
        page.locator(".facts .tag", has_text="Confidential").wait_for()
        screenshot(page, "entity-curated")
        no_blocking_violations(page)
        stored = api(server, f"/v1/entities/{contracts}")
        assert stored["description"] == "Charter contracts, one row per signed contract (curated in the UI)"
        assert sorted(stored["owners"]) == ["ada", "crm-team"]
        assert "Confidential" in [c["name"] for c in stored["classifications"]]
        page.get_by_role("button", name="Remove Confidential").click()
        page.locator(".facts .tag", has_text="Confidential").wait_for(state="detached")
        assert "Confidential" not in [
            c["name"] for c in api(server, f"/v1/entities/{contracts}")["classifications"]
        ]
        assert page.console_errors.errors == []
    with signed_in(browser, server.url, "sam", "sam-demo-pw") as page:  # sam reads customers, curates nothing
        page.goto(f"/ui/entity/{customers}")
        page.locator("h1", has_text="customers").wait_for()
        assert page.locator("#curation-h").count() == 0
        assert page.locator("#edit-curation").count() == 0


def test_the_audit_page_is_for_admins(browser: Any, ui_server: LiveServer) -> None:
    marker = f"SELECT {secrets.randbelow(10**9)} AS audit_marker"
    answer = httpx.post(
        f"{ui_server.url}/v1/query",
        json={"sql": marker},
        auth=("ada", "ada-demo-pw"),
        headers={"Accept": "application/json"},
    )
    assert answer.status_code == 200
    with signed_in(browser, ui_server.url, "root", "root-demo-pw") as page:
        page.get_by_role("link", name="Audit").click()
        page.wait_for_url(re.compile(r"/ui/admin/audit"))
        page.locator("table.audit tbody tr").first.wait_for()
        page.get_by_label("User").fill("ada")
        page.get_by_label("Action").select_option("query")
        page.get_by_role("button", name="Filter").click()
        page.wait_for_url(re.compile(r"user=ada"))
        page.locator("table.audit tbody tr", has_text="audit_marker").wait_for()
        users = set(page.locator("table.audit tbody tr td:nth-child(2)").all_inner_texts())
        assert users == {"ada"}
        screenshot(page, "admin-audit")
        no_blocking_violations(page)
        assert page.console_errors.errors == []
    with signed_in(browser, ui_server.url, "ada", "ada-demo-pw") as page:
        assert page.get_by_role("link", name="Audit").count() == 0
        page.goto("/ui/admin/audit")
        assert "ACCESS_DENIED" in page.get_by_role("alert").inner_text()
        assert page.locator("table.audit").count() == 0


def test_admins_see_and_kill_running_queries(browser: Any, ui_server: LiveServer) -> None:
    slow = "SELECT count(*) FROM tpch.tiny.lineitem a CROSS JOIN tpch.tiny.lineitem b WHERE a.l_suppkey + b.l_suppkey = 3"
    outcome: dict[str, Any] = {}

    def run() -> None:
        outcome["answer"] = httpx.post(
            f"{ui_server.url}/v1/query",
            json={"sql": slow},
            auth=("ada", "ada-demo-pw"),
            headers={"Accept": "application/json"},
            timeout=120,
        )

    worker = threading.Thread(target=run)
    worker.start()
    try:
        with signed_in(browser, ui_server.url, "root", "root-demo-pw") as page:
            page.get_by_role("link", name="Running").click()
            row = page.locator("table.running tbody tr", has_text="a.l_suppkey + b.l_suppkey = 3")
            row.wait_for(timeout=30_000)
            assert row.locator("td").nth(1).inner_text() == "ada"
            query_id = row.get_attribute("data-query-id")
            # while it runs: ada sees her own query, sam sees none of hers
            assert query_id in [q["id"] for q in api(ui_server, "/v1/queries", "ada", "ada-demo-pw")]
            assert query_id not in [q["id"] for q in api(ui_server, "/v1/queries", "sam", "sam-demo-pw")]
            screenshot(page, "admin-running-queries")
            no_blocking_violations(page)
            row.get_by_role("button", name=re.compile("Kill")).click()
            row.wait_for(state="detached", timeout=30_000)
            assert api(ui_server, f"/v1/queries/{query_id}")["state"] == "CANCELED"
    finally:
        worker.join(timeout=120)
    assert outcome["answer"].status_code != 200


def test_admins_see_the_harvest_and_refresh_it(browser: Any, ui_server: LiveServer) -> None:
    with signed_in(browser, ui_server.url, "root", "root-demo-pw") as page:
        page.get_by_role("link", name="Harvest").click()
        page.locator("table.harvest tbody tr").first.wait_for()
        sources = dict(
            zip(
                page.locator("table.harvest tbody td:nth-child(1)").all_inner_texts(),
                page.locator("table.harvest tbody td:nth-child(2)").all_inner_texts(),
                strict=True,
            )
        )
        assert sources == {"tpch": "ok", "lake": "ok", "crm": "ok", "workspace": "ok"}
        page.locator("#refresh-now").click()
        page.locator("table.harvest-result tbody tr").first.wait_for(timeout=60_000)
        names = page.locator("table.harvest-result tbody td:nth-child(1)").all_inner_texts()
        assert sorted(names) == ["crm", "lake", "tpch", "workspace"]
        screenshot(page, "admin-harvest")
        no_blocking_violations(page)
        assert page.console_errors.errors == []
    with signed_in(browser, ui_server.url, "ada", "ada-demo-pw") as page:
        assert page.get_by_role("link", name="Harvest").count() == 0
        page.goto("/ui/admin/catalog")
        page.locator("#refresh-now").click()
        assert "ACCESS_DENIED" in page.get_by_role("alert").inner_text()
