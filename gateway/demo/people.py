"""Fake people for the CRM: names, e-mail addresses, phone numbers and national ids.

Every e-mail address is on a reserved ``example.*`` domain and every national id is in the
900-999 area, which is never issued as a real social security number.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# fmt: off
# region -> countries (ISO 3166-1 alpha-2) with their international calling codes
REGIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "EMEA": (
        ("NL", "31"), ("DE", "49"), ("GB", "44"), ("FR", "33"), ("ES", "34"), ("IT", "39"),
        ("GR", "30"), ("DK", "45"), ("NO", "47"), ("PL", "48"), ("TR", "90"), ("AE", "971"),
        ("SA", "966"), ("EG", "20"), ("ZA", "27"), ("NG", "234"),
    ),
    "AMER": (("US", "1"), ("CA", "1"), ("BR", "55"), ("MX", "52"), ("PA", "507"), ("CL", "56")),
    "APAC": (
        ("CN", "86"), ("SG", "65"), ("JP", "81"), ("KR", "82"), ("IN", "91"), ("AU", "61"),
        ("MY", "60"), ("TH", "66"), ("VN", "84"), ("HK", "852"), ("TW", "886"),
    ),
}

_FIRST_NAMES = (
    "Anna", "Lars", "Sofia", "Pieter", "Emma", "Jonas", "Maria", "Luca", "Chloe", "Mateo",
    "Olivia", "Noah", "Fatima", "Omar", "Aisha", "Kwame", "Thandi", "Wei", "Mei", "Hiroshi",
    "Yuki", "Min-jun", "Ji-woo", "Arjun", "Priya", "Siti", "Ahmad", "Linh", "Minh", "Elena",
    "James", "Sarah", "Carlos", "Ana", "Lucas", "Isabella", "Liam", "Grace", "Ethan", "Zara",
)
_LAST_NAMES = (
    "Jansen", "de Vries", "Muller", "Schmidt", "Smith", "Jones", "Martin", "Bernard", "Garcia",
    "Lopez", "Rossi", "Bianchi", "Papadopoulos", "Hansen", "Nielsen", "Kowalski", "Yilmaz",
    "Haddad", "Mansour", "Okafor", "Naidoo", "Wang", "Li", "Zhang", "Chen", "Tanaka", "Sato",
    "Kim", "Park", "Sharma", "Patel", "Tan", "Lim", "Nguyen", "Tran", "Johnson", "Brown",
    "Silva", "Santos", "Hernandez", "Walker", "Campbell", "Murphy", "Wilson", "Andersen",
)
# fmt: on
_MAIL_DOMAINS = ("example.com", "example.org", "example.net", "mail.example.com", "corp.example.com")


@dataclass(frozen=True, slots=True)
class Person:
    full_name: str
    email: str
    phone: str
    national_id: str
    region: str
    country: str


def _mailbox(name: str) -> str:
    return "".join(ch for ch in name.lower().replace(" ", "") if ch.isalnum() or ch == "-")


class PeopleFactory:
    """Makes unique fake people from a seeded random stream."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._emails: set[str] = set()
        self._ids: set[str] = set()

    def person(self, region: str) -> Person:
        rng = self._rng
        first, last = rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)
        country, calling_code = rng.choice(REGIONS[region])
        return Person(
            full_name=f"{first} {last}",
            email=self._email(first, last),
            phone=self._phone(calling_code),
            national_id=self._national_id(),
            region=region,
            country=country,
        )

    def _phone(self, calling_code: str) -> str:
        rng = self._rng
        return f"+{calling_code} {rng.randint(100, 999)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}"

    def _email(self, first: str, last: str) -> str:
        domain = self._rng.choice(_MAIL_DOMAINS)
        base = f"{_mailbox(first)}.{_mailbox(last)}"
        email, n = f"{base}@{domain}", 1
        while email in self._emails:
            n += 1
            email = f"{base}{n}@{domain}"
        self._emails.add(email)
        return email

    def _national_id(self) -> str:
        while True:
            rng = self._rng
            nid = f"{rng.randint(900, 999)}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}"
            if nid not in self._ids:
                self._ids.add(nid)
                return nid
