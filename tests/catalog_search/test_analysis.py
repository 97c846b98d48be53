"""Identifier analysis: the spellings of one name meet in the same words."""

from __future__ import annotations

import pytest

from catalog.search.analysis import MAX_QUERY_WORDS, identifier_words, query_words


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("order_items", ("order", "items", "orderitems")),
        ("orderItems", ("order", "items", "orderitems")),
        ("OrderItems", ("order", "items", "orderitems")),
        ("order.items", ("order", "items", "orderitems")),
        ("HTTPServerLog", ("http", "server", "log", "httpserverlog")),
        ("orders2024", ("orders", "2024", "orders2024")),
        ("orders", ("orders",)),
        ("kunden_größe", ("kunden", "größe", "kundengröße")),
        ("顧客_id", ("顧客", "id", "顧客id")),
        ("__", ()),
    ],
)
def test_identifier_words(name: str, words: tuple[str, ...]) -> None:
    assert identifier_words(name) == words


def test_query_words_are_the_parts_once_each() -> None:
    assert query_words("order items order_items") == ["order", "items"]
    assert query_words("  Größe  ") == ["größe"]
    assert query_words("a;b OR c) AND (d*") == ["a", "b", "or", "c", "and", "d"]
    assert len(query_words(" ".join(f"w{i}x" for i in range(50)))) == MAX_QUERY_WORDS


def test_backends_are_chosen_from_an_allowlist() -> None:
    from catalog.search.backends import open_backend
    from catalog.search.tantivy_backend import TantivyBackend

    assert isinstance(open_backend("tantivy"), TantivyBackend)
    with pytest.raises(ValueError, match="needs solr_url"):
        open_backend("solr")
    with pytest.raises(ValueError, match="unknown search backend"):
        open_backend("elasticsearch")
