"""Ground truth for the attack suites, and the oracles that judge what a client was sent.

:class:`Truth` reads the CRM straight from its SQLite file and knows, for each demo user, the
values that user must never see (:class:`Secrets`). :class:`HiddenObjects` knows the things no
user but root may learn by any query: the engine's own catalog names (``lg_crm``...), the file
system paths of the data, and the contents of ``policies.json``, ``users.yaml`` and
``lakegate.yaml``. A hidden object that the query text itself names is not a leak when it comes
back (an error message may quote the query).

- ada (analysts): no cell holds a real e-mail, phone, national id or full name (masks hold);
- sam (support, EMEA): no cell holds a national id, an unmasked e-mail, or the name or phone of a
  non-EMEA customer; DuckDB ``stats()`` min/max strings must not come from hidden rows;
- eve: reads nothing; table-less answers hold no personal data;
- root sees real values: the positive control that the oracles flag real data.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from gateway.demo.crm import Customer  # the demo's own record of a customer row

USERS = ("ada", "sam", "eve")
ENGINE_PREFIX = "lg_"
_STATS = re.compile(r"\[Min: (.*?), Max: (.*?), ")


@dataclass(frozen=True, slots=True)
class Secrets:
    """Values a user must never see: searched as substrings, or compared with whole values."""

    substrings: frozenset[str]
    whole: frozenset[str]


def mask_last_4(value: str) -> str:
    return "X" * max(len(value) - 4, 0) + value[-4:]


def mask_hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest().upper()


def mask_redact(value: str) -> str:
    return re.sub("[0-9]", "0", re.sub("[a-z]", "x", re.sub("[A-Z]", "X", value)))


def mask_initial(value: str) -> str:
    return value[:1] + "."


class Truth:
    """The CRM as stored, read straight from its SQLite file, and what each user may see of it."""

    def __init__(self, crm_path: Path) -> None:
        self.crm_path = crm_path
        with contextlib.closing(sqlite3.connect(f"file:{crm_path}?mode=ro", uri=True)) as con:
            self.customers = tuple(
                Customer(*row)
                for row in con.execute(
                    "SELECT customer_id, full_name, email, phone, national_id, region, country, "
                    "created_at, segment FROM customers ORDER BY customer_id"
                )
            )
            self.tickets: tuple[tuple[int, int, str], ...] = tuple(
                con.execute("SELECT ticket_id, customer_id, region FROM support_tickets ORDER BY ticket_id")
            )
            self.ticket_rows: tuple[tuple[Any, ...], ...] = tuple(
                con.execute("SELECT * FROM support_tickets ORDER BY ticket_id")
            )
            self.contract_rows: tuple[tuple[Any, ...], ...] = tuple(
                con.execute("SELECT * FROM contracts ORDER BY contract_id")
            )
            self.contract_count: int = len(self.contract_rows)
        self.emea = tuple(c for c in self.customers if c.region == "EMEA")
        self.others = tuple(c for c in self.customers if c.region != "EMEA")
        self.emea_tickets = tuple(t for t in self.tickets if t[2] == "EMEA")
        self.emea_ids = frozenset(c.customer_id for c in self.emea)
        self.emea_ticket_ids = frozenset(t[0] for t in self.emea_tickets)
        emea_names = {c.full_name.lower() for c in self.emea}
        emea_phones = {c.phone.lower() for c in self.emea}
        hidden_names = {c.full_name.lower() for c in self.others} - emea_names
        self.a, self.b = self.emea[0], self.emea[1]
        self.outsider = next(c for c in self.others if c.full_name.lower() in hidden_names)
        everything = (
            {c.email.lower() for c in self.customers}
            | {c.phone.lower() for c in self.customers}
            | {c.national_id.lower() for c in self.customers}
        )
        all_names = {c.full_name.lower() for c in self.customers}
        self.secrets = {
            "ada": Secrets(
                frozenset(everything | {n for n in all_names if len(n) >= 8}), frozenset(all_names)
            ),
            "sam": Secrets(
                frozenset(
                    {c.email.lower() for c in self.customers}
                    | {c.national_id.lower() for c in self.customers}
                    | ({c.phone.lower() for c in self.others} - emea_phones)
                    | {n for n in hidden_names if len(n) >= 8 and not any(n in e for e in emea_names)}
                ),
                frozenset(hidden_names),
            ),
            "root": Secrets(frozenset(), frozenset()),
        }
        self.secrets["eve"] = self.secrets["ada"]
        self._sam_visible, self._sam_hidden = self._sam_values()
        self.params = {
            "A": str(self.a.customer_id),
            "B": str(self.b.customer_id),
            "NID_A": self.a.national_id,
            "NID_A_PREFIX": self.a.national_id[:7],
            "EMAIL_A": self.a.email,
            "EMAIL_A_LOCAL": self.a.email.split("@")[0],
            "NAME_A": self.a.full_name,
            "PHONE_A": self.a.phone,
            "COUNTRY_A": self.a.country,
            "OUT_ID": str(self.outsider.customer_id),
            "OUT_NAME": self.outsider.full_name,
            "OUT_PHONE": self.outsider.phone,
            "OUT_EMAIL": self.outsider.email,
            "CRM_PATH": str(crm_path),
        }

    def _sam_values(self) -> tuple[frozenset[str], frozenset[str]]:
        """Every value of the tables sam reads (as text): those sam sees, and the others."""
        visible: set[str] = set()
        hidden: set[str] = set()
        for c in self.customers:
            fields = [str(c.customer_id), c.full_name, c.phone, c.region, c.country, c.created_at, c.segment]
            (visible if c.region == "EMEA" else hidden).update(fields)
            visible.add(mask_last_4(c.email))
            hidden.update({c.email, c.national_id})
        for row in self.ticket_rows:
            (visible if row[2] == "EMEA" else hidden).update(str(v) for v in row)
        return frozenset(visible), frozenset(hidden - visible)

    def fill(self, sql: str) -> str:
        return re.sub(r"<<(\w+)>>", lambda m: self.params[m.group(1)], sql)

    # what ada sees of a customer (every mask of the demo's policies)
    def ada_row(self, c: Customer) -> tuple[Any, ...]:
        return (
            c.customer_id,
            mask_initial(c.full_name),
            mask_last_4(c.email),
            mask_redact(c.phone),
            mask_hash(c.national_id),
            c.region,
            None,
            c.created_at,
            c.segment,
        )

    def stats_leaks(self, texts: Iterable[str], user: str) -> list[str]:
        """DuckDB ``stats()`` strings (``[Min: x, Max: y, ...``) whose bounds come from rows sam may not see."""
        if user != "sam":
            return []
        found = []
        for text in texts:
            for match in _STATS.finditer(text):
                for bound in match.groups():
                    if not bound:
                        continue
                    if any(v.startswith(bound) for v in self._sam_hidden) and not any(
                        v.startswith(bound) for v in self._sam_visible
                    ):
                        found.append(f"stats bound {bound!r} of a hidden row")
        return found


def find_leaks(texts: Iterable[str], secrets: Secrets) -> list[str]:
    texts = [t.lower() for t in texts]
    haystack = "\x1f".join(texts)
    found = sorted(s for s in secrets.substrings if s in haystack)
    pieces = {t.strip() for t in texts}
    for text in texts:
        pieces.update(p.strip(" '\"[]{}()") for p in re.split(r"[,;|\t\n]", text))
    found += sorted(secrets.whole & pieces)
    return found


# -- hidden objects -------------------------------------------------------------------------------


def _policy_strings(document: Any) -> Iterable[str]:
    if isinstance(document, dict):
        for key, value in document.items():
            if key == "name" and isinstance(value, str) and " " in value:
                yield value
            else:
                yield from _policy_strings(value)
    elif isinstance(document, list):
        for item in document:
            yield from _policy_strings(item)


class HiddenObjects:
    """What no query may reveal to a user but root, unless the query text names it itself."""

    def __init__(self, demo_dir: Path, catalogs: Iterable[str]) -> None:
        self.demo_dir = demo_dir
        markers = {ENGINE_PREFIX + name for name in catalogs}
        markers |= {str(demo_dir), str(demo_dir.resolve())}
        markers |= {"crm.sqlite", "policies.json", "users.yaml", "lakegate.yaml", "allowed_directories"}
        markers |= {p.name for p in demo_dir.glob("*.parquet")}
        policies = json.loads((demo_dir / "policies.json").read_text(encoding="utf-8"))
        markers |= set(_policy_strings(policies))
        markers |= {"dataMaskType", "rowFilterInfo", "denyPolicyItems", "serviceType"}
        users = yaml.safe_load((demo_dir / "users.yaml").read_text(encoding="utf-8"))["users"]
        for entry in users.values():
            markers.add(entry["password_hash"])
            markers.update(part for part in entry["password_hash"].split("$") if len(part) > 12)
        markers |= {"password_hash", "users_file", "dev_mode", "reload_seconds"}
        self.markers = frozenset(m.lower() for m in markers)
        #: names of tables hidden from a user, and of their own columns, which no answer (cells,
        #: column names) may hold; a denied column of a table the user reads is not among them,
        #: since refusing it names it (as Trino's access control does)
        crm_columns = {"customer_id", "full_name", "national_id", "created_at", "segment"}
        self.schema_names = {
            "sam": frozenset({"contract_id", "value_eur", "signed_on"}),
            "ada": frozenset({"ticket_id", "opened_at", "support_tickets"}),
            "eve": frozenset(
                crm_columns
                | {"national_id", "contract_id", "value_eur", "ticket_id", "support_tickets"}
                | {"c_custkey", "n_nationkey", "l_orderkey", "imo_number", "vessel_id"}
            ),
            "root": frozenset(),
        }

    def leaks(self, said: str, user: str, texts: Iterable[str], answer: Iterable[str]) -> list[str]:
        """Markers in ``texts`` (and schema names in ``answer``) that ``said`` (what the client
        sent: the SQL, its session catalog and schema) does not name itself."""
        if user == "root":
            return []
        said = said.lower()
        haystack = "\x1f".join(t.lower() for t in texts)
        found = sorted(m for m in self.markers if m in haystack and m not in said)
        cells = "\x1f".join(t.lower() for t in answer)
        found += sorted(n for n in self.schema_names[user] if n in cells and n not in said)
        return found
