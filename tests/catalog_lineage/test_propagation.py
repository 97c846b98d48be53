"""Classification propagation along lineage edges."""

from __future__ import annotations

import itertools

from catalog.lineage import propagate_classifications
from catalog.model import Classification, LineageEdge

P = "proc"


def chain(*guids: str) -> list[LineageEdge]:
    return [LineageEdge(P, a, b) for a, b in itertools.pairwise(guids)]


def test_pii_flows_downstream_and_remembers_its_origin() -> None:
    pii = Classification("PII", {"kind": "email"})
    got = propagate_classifications(chain("a", "b", "c"), {"a": [pii]})
    assert got == {
        "b": (Classification("PII", {"kind": "email"}, True, "a"),),
        "c": (Classification("PII", {"kind": "email"}, True, "a"),),
    }


def test_nothing_flows_upstream_or_sideways() -> None:
    edges = [*chain("a", "b"), LineageEdge(P, "x", "b")]
    got = propagate_classifications(edges, {"b": [Classification("PII")]})
    assert got == {}


def test_propagate_false_stays_put() -> None:
    got = propagate_classifications(chain("a", "b"), {"a": [Classification("PII", propagate=False)]})
    assert got == {}


def test_own_tag_is_kept_and_a_non_propagating_own_tag_does_not_stop_an_upstream_flow() -> None:
    own = {"a": [Classification("PII")], "b": [Classification("PII", {"by": "steward"}, propagate=False)]}
    got = propagate_classifications(chain("a", "b", "c"), own)
    assert "b" not in got
    assert got["c"] == (Classification("PII", {}, True, "a"),)


def test_blocked_entity_neither_receives_nor_passes_on() -> None:
    got = propagate_classifications(
        chain("a", "b", "c"), {"a": [Classification("PII")]}, blocked={"b": {"PII"}}
    )
    assert got == {}
    other = propagate_classifications(
        chain("a", "b"), {"a": [Classification("PII")]}, blocked={"b": {"Finance"}}
    )
    assert "b" in other


def test_nearest_origin_wins_then_the_smallest_guid() -> None:
    edges = [*chain("far", "mid", "t"), LineageEdge(P, "near", "t"), LineageEdge(P, "alt", "mid")]
    own = {
        "far": [Classification("PII", {"o": "far"})],
        "near": [Classification("PII", {"o": "near"})],
        "alt": [Classification("PII", {"o": "alt"})],
    }
    got = propagate_classifications(edges, own)
    assert got["t"][0].propagated_from == "near"
    assert got["mid"][0].propagated_from == "alt"  # "alt" < "far", both one step away


def test_cycles_end_and_several_names_flow_independently() -> None:
    edges = chain("a", "b", "c", "a")
    got = propagate_classifications(edges, {"a": [Classification("PII")], "b": [Classification("Finance")]})
    assert {c.name for c in got["b"]} == {"PII"}
    assert {c.name for c in got["c"]} == {"Finance", "PII"}
    assert {c.name for c in got["a"]} == {"Finance"}


def test_already_propagated_input_is_not_a_new_origin() -> None:
    copy = Classification("PII", propagated_from="elsewhere")
    assert propagate_classifications(chain("a", "b"), {"a": [copy]}) == {}


def test_a_tagged_table_tags_the_view_it_feeds_and_the_views_columns() -> None:
    from catalog.lineage import propagate_with_hierarchy

    edges = [LineageEdge(P, "customers", "contacts"), LineageEdge(P, "customers.email", "contacts.mail")]
    own = {"customers": [Classification("PII")], "contacts.id": [Classification("PII", {"own": "yes"})]}
    children = {
        "customers": ["customers.email"],
        "contacts": ["contacts.mail", "contacts.id", "contacts.note"],
    }
    got = propagate_with_hierarchy(edges, own, children, blocked={"contacts.note": {"PII"}})
    assert got["contacts"] == (Classification("PII", {}, True, "customers"),)
    assert got["customers.email"] == (Classification("PII", {}, True, "customers"),)
    assert got["contacts.mail"] == (Classification("PII", {}, True, "customers"),)
    assert "contacts.id" not in got  # its own PII stays, no copy
    assert "contacts.note" not in got  # a steward blocked it
