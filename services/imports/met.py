"""The addresses an import has met, each with the row that first had it, kept as a 64-bit hash in
flat arrays: a dict of the address strings took 225 MB at a million leads (1.7 million addresses;
135 bytes each), these arrays 12 bytes a slot, at most half full (~50 MB).

The price of hashes: two different addresses with the same 64-bit hash (Python's SipHash of the
text) would make the second lead a duplicate of the first. The odds, for n addresses, are about
n² / 2⁶⁵: 1 in 13 million imports of a million leads."""

from array import array

# An empty slot; an address hashing to it is stored as 1 instead (as good as any other value).
EMPTY = 0


class Met:
    """Normalised address → the file row that first had it (0: a lead in the workspace already)."""

    def __init__(self, expected: int = 0) -> None:
        """`expected`: about how many addresses will be met, so the table is made at its size
        once rather than doubled up to it (a doubling holds the old table and the new)."""
        self._resize(1 << max(12, (2 * expected).bit_length()))
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def get(self, address: str) -> int | None:
        slot = self._slot(_hash(address))
        return None if self._hashes[slot] == EMPTY else self._rows[slot]

    def add(self, address: str, row: int) -> None:
        """`address` first met at `row`; an address met already keeps its first row."""
        key = _hash(address)
        slot = self._slot(key)
        if self._hashes[slot] != EMPTY:
            return
        self._hashes[slot], self._rows[slot] = key, row
        self._count += 1
        if 2 * self._count > len(self._hashes):
            self._resize(2 * len(self._hashes))

    def _slot(self, key: int) -> int:
        """The slot holding `key`, or the empty one where it would go (linear probing)."""
        hashes, mask = self._hashes, self._mask
        slot = key & mask
        while hashes[slot] != key and hashes[slot] != EMPTY:
            slot = (slot + 1) & mask
        return slot

    def _resize(self, size: int) -> None:
        old = getattr(self, "_hashes", array("q")), getattr(self, "_rows", array("i"))
        self._hashes, self._rows, self._mask = array("q", bytes(8 * size)), array("i", bytes(4 * size)), size - 1
        for key, row in zip(*old):
            if key != EMPTY:
                slot = self._slot(key)
                self._hashes[slot], self._rows[slot] = key, row


def _hash(address: str) -> int:
    return hash(address) or 1
