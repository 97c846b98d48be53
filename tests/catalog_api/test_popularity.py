"""Popularity is the number of queries over the last 30 days, from the audit log."""

from __future__ import annotations

from collections.abc import Callable

import httpx


def test_queries_make_a_table_popular_after_a_refresh(as_user: Callable[[str], httpx.Client]) -> None:
    ada, root = as_user("ada"), as_user("root")

    def popularity(name: str) -> int:
        value: int = ada.get("/v1/entities", params={"name": name}).json()["popularity"]
        return value

    before = popularity("lake.shipping.ports")
    for _ in range(3):
        sql = {"sql": "SELECT count(*) AS n FROM lake.shipping.ports p JOIN lake.shipping.voyages v ON true"}
        assert ada.post("/v1/query", json=sql).status_code == 200
    assert ada.post("/v1/query", json={"sql": "SELECT * FROM crm.main.support_tickets"}).status_code >= 400
    assert root.post("/v1/admin/catalog/refresh").status_code == 200
    assert popularity("lake.shipping.ports") == before + 3
    ranked = ada.get("/v1/search", params={"q": "", "type": "table", "sort": "popularity", "limit": 3}).json()
    assert "lake.shipping.ports@lakegate" in [h["qualified_name"] for h in ranked["hits"]]
