"""The addresses an import has met (services/imports/met.py): the first row of each, and a million
leads' addresses in tens of megabytes rather than hundreds."""

import tracemalloc

from services.imports.met import Met


def test_an_address_keeps_the_first_row_that_had_it_through_growing():
    met = Met()
    met.add("+12025550100", 0)  # a lead in the workspace already
    for n in range(20_000):  # past several doublings of the table
        met.add(f"+1202{n:07d}", n + 2)
    met.add("+12020000005", 99_999)
    assert len(met) == 20_001
    assert met.get("+12025550100") == 0
    assert met.get("+12020000005") == 7 and met.get("+12020019999") == 20_001
    assert met.get("+12029999999") is None and met.get("someone@example.com") is None


def test_a_hundred_thousand_addresses_take_a_few_megabytes():
    tracemalloc.start()
    met = Met()
    for n in range(100_000):  # each address made for its row, as an import reads them
        met.add(f"someone.{n}@example.com", n + 2)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # 2**18 slots of 12 bytes and the table it grew from (~5 MB); a dict of the addresses: ~16 MB.
    assert peak < 8 * 2**20


def test_a_table_made_for_its_addresses_never_holds_two():
    tracemalloc.start()
    met = Met(expected=100_000)
    for n in range(100_000):
        met.add(f"someone.{n}@example.com", n + 2)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # Its 2**18 slots of 12 bytes (3 MB, 4.2 traced); grown to them: 5.8 MB, the last doubling
    # holding both tables at once.
    assert peak < 5 * 2**20
