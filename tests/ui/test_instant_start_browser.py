"""Instant start in a real browser: ``lakegate serve FOLDER`` with no config, as its own process;
Debian's Chromium opens the address it printed, lands in the workspace signed in as the local
user, and a query over the folder's CSV and Parquet files shows its rows in the grid."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from gateway.instant import local_user
from tests.server import InstantServer, instant_process
from tests.ui.browser import ConsoleErrors, no_blocking_violations, screenshot

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def instant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InstantServer]:
    folder: Path = tmp_path_factory.mktemp("instant-ui") / "shop"
    folder.mkdir()
    (folder / "orders.csv").write_text(
        "order_id,customer,amount\n1,ana,12.50\n2,bo,7.25\n3,ana,30.00\n", encoding="utf-8"
    )
    pq.write_table(
        pa.table({"customer": ["ana", "bo"], "city": ["Porto", "Oslo"]}), folder / "customers.parquet"
    )
    with instant_process(str(folder)) as served:
        yield served


def test_the_printed_address_opens_the_workspace_and_a_query_fills_the_grid(
    browser: Any, instant: InstantServer
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        console = ConsoleErrors(page)
        page.goto(instant.sign_in_url)  # no sign-in form: the address signs the local user in
        page.wait_for_url(f"{instant.url}/ui/sql")
        page.locator("#signed-in-user").wait_for()
        assert page.locator("#signed-in-user").inner_text() == local_user(getpass.getuser())
        assert instant.token not in page.url
        assert instant.token not in page.content()  # the token is traded for a cookie, not kept
        sql = (
            "SELECT o.customer, c.city, sum(o.amount) AS total "
            "FROM files.main.orders o JOIN files.main.customers c ON c.customer = o.customer "
            "GROUP BY o.customer, c.city ORDER BY total DESC"
        )
        page.locator("#sql").fill(sql)
        page.locator("#run").click()
        page.locator("#run-status[data-state=finished]").wait_for(timeout=120_000)
        assert page.locator("#row-count").inner_text() == "2"
        header = page.locator(".grid-head .grid-cell").all_inner_texts()
        assert header[-3:] == ["customer", "city", "total"]
        rows = [
            [cell for cell in row.locator(".grid-cell").all_inner_texts()][-3:]
            for row in page.locator(".grid-body .grid-row").all()
        ]
        assert rows == [["ana", "Porto", "42.5"], ["bo", "Oslo", "7.25"]]
        screenshot(page, "instant-start-workspace")
        no_blocking_violations(page)
        assert console.errors == []
        # the session holds: the search page lists the folder's files as tables
        page.goto(f"{instant.url}/ui/search?q=orders")
        page.locator("a.hit-name", has_text="orders").first.wait_for()
        assert page.locator("#signed-in-user").inner_text() == local_user(getpass.getuser())
        assert console.errors == []
    finally:
        context.close()
