"""A realistic lead list from a fixed seed: most leads one phone and one email, a third with
alternates, ~5% invalid numbers, ~10% duplicates, phones in the formats CRMs export.

    python benchmarks/leads_csv.py 100000 /tmp/leads.csv
"""

import csv
import random
import sys
import unicodedata

FIRST = [
    "Ada",
    "Grace",
    "Alan",
    "Linus",
    "Margaret",
    "Katherine",
    "Dennis",
    "Barbara",
    "Ken",
    "Radia",
    "José",
    "Zoë",
    "Søren",
    "Anaïs",
    "Björn",
    "Chloé",
]
LAST = [
    "Lovelace",
    "Hopper",
    "Turing",
    "Torvalds",
    "Hamilton",
    "Johnson",
    "Ritchie",
    "Liskov",
    "Thompson",
    "Perlman",
    "García",
    "Müller",
    "O'Brien",
    "Nguyen",
]
DOMAINS = ["gmail.com", "icloud.com", "yahoo.com", "outlook.com", "me.com", "acme.io", "example.org"]
AREAS = ["202", "212", "305", "312", "415", "512", "617", "646", "702", "808"]
HEADER = [
    "First Name",
    "Last Name",
    "Company",
    "Phone",
    "Email Address",
    "Alt Phone 1",
    "Alt Phone 2",
    "Secondary Email",
]


def phone(rng: random.Random) -> str:
    if rng.random() < 0.05:  # invalid: too short, or not a number at all
        return rng.choice(["555-1234", "12345", "n/a", "(000) 000-0000", "call me"])
    if rng.random() < 0.08:
        return f"+44 20 7946 {rng.randrange(10000):04d}"
    area, line = rng.choice(AREAS), rng.randrange(10000)
    middle = rng.randrange(200, 1000)
    fmt = rng.choice(
        [
            "({a}) {m}-{l:04d}",
            "{a}.{m}.{l:04d}",
            "{a}-{m}-{l:04d}",
            "+1 {a} {m} {l:04d}",
            "1{a}{m}{l:04d}",
            "{a}{m}{l:04d}",
        ]
    )
    return fmt.format(a=area, m=middle, l=line)


def ascii_fold(text: str) -> str:
    # People with accented names mostly have plain ASCII mailboxes.
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().replace("'", "")


def email(rng: random.Random, first: str, last: str) -> str:
    return f"{ascii_fold(first)}.{ascii_fold(last)}{rng.randrange(1000)}@{rng.choice(DOMAINS)}".lower()


def rows(count: int, seed: int = 42):
    rng = random.Random(seed)
    made = []
    for _ in range(count):
        if made and rng.random() < 0.10:  # a duplicate: an earlier lead, phone typed differently
            dup = list(rng.choice(made))
            digits = "".join(c for c in dup[3] if c.isdigit())
            dup[3] = digits if len(digits) >= 10 else dup[3]
            yield dup
            continue
        first, last = rng.choice(FIRST), rng.choice(LAST)
        row = [first, last, f"{rng.choice(LAST)} Inc", phone(rng), email(rng, first, last), "", "", ""]
        if rng.random() < 1 / 3:
            row[5] = phone(rng)
            if rng.random() < 0.5:
                row[6] = phone(rng)
            row[7] = email(rng, first, last + "x")
        if len(made) < 5000:
            made.append(row)
        yield row


def write(count: int, path: str, seed: int = 42) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        writer.writerows(rows(count, seed))


if __name__ == "__main__":
    write(int(sys.argv[1]), sys.argv[2])
