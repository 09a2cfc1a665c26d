"""The search box finds exactly the leads whose names, company or addresses contain the text, in
any case, as leads are added, edited and deleted, and the leads table counts and pages exactly
those: on PostgreSQL (CI's second pass) through its trigram index, whose answers must be the same
as a scan's."""

from unittest.mock import patch

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extensions import db
from models import Lead, Workspace, search_fold, search_text
from services import leads as lead_store

# A small alphabet, so searches often hit, across several leads, and at word edges.
words = st.text(alphabet="abcAB1@. é", min_size=0, max_size=8)
queries = st.text(alphabet="abcAB1@.%_ é", min_size=1, max_size=4)


def found(workspace_id: int, q: str) -> set[int]:
    return set(db.session.scalars(db.select(Lead.id).where(lead_store.matching(workspace_id, None, q))))


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    names=st.lists(st.tuples(words, words), min_size=1, max_size=8),
    edit=words,
    searches=st.lists(queries, min_size=1, max_size=5),
    data=st.data(),
)
def test_search_finds_exactly_the_leads_containing_the_text(app, names, edit, searches, data):
    with app.app_context():
        workspace = Workspace(name="search")
        other = Workspace(name="elsewhere")
        db.session.add_all([workspace, other])
        db.session.flush()
        leads = [
            Lead(
                workspace_id=workspace.id,
                first_name=first,
                company=company,
                search_text=search_text([first, company], []),
            )
            for first, company in names
        ]
        # The same text in another workspace is never found.
        other_lead = Lead(workspace_id=other.id, search_text=search_text([n for pair in names for n in pair], []))
        db.session.add_all([*leads, other_lead])
        db.session.commit()
        leads[0].first_name = edit
        leads[0].index_for_search()
        if len(leads) > 1:
            db.session.delete(leads[-1])
        db.session.commit()
        remaining = db.session.scalars(db.select(Lead).where(Lead.workspace_id == workspace.id)).all()
        # Also pieces of what the leads hold now, the edited name among them.
        texts = [lead.search_text for lead in remaining if len(lead.search_text) >= 3]
        for text in data.draw(st.lists(st.sampled_from(texts), max_size=3)) if texts else []:
            start = data.draw(st.integers(0, len(text) - 3))
            searches.append(text[start : start + data.draw(st.integers(3, 6))])
        for q in searches:
            text = search_fold(q.strip().replace("%", "").replace("_", ""))
            expected = {lead.id for lead in remaining if text in lead.search_text}
            assert found(workspace.id, q) == expected, q
            # The table's page: read by id and counted when the matches are few, by searching
            # again and not counted when many.
            for few in (lead_store.FEW_MATCHES, 0):
                with patch.object(lead_store, "FEW_MATCHES", few):
                    page = lead_store.table_page(workspace.id, None, q, "name", 1, 100)
                counted = few or not expected or not q.strip()  # blank: no search, the tally counts
                assert page.total == (len(expected) if counted else None)
                assert {lead.id for lead in page.items} == expected and not page.has_next


def test_an_edited_or_deleted_lead_is_found_by_what_it_holds_now(app):
    with app.app_context():
        workspace = Workspace(name="search")
        db.session.add(workspace)
        db.session.flush()
        ada, grace = (
            Lead(workspace_id=workspace.id, first_name=name, search_text=name.lower()) for name in ("Ada", "Grace")
        )
        db.session.add_all([ada, grace])
        db.session.commit()
        ada.first_name = "Augusta"
        ada.index_for_search()
        db.session.delete(grace)
        db.session.commit()
        assert found(workspace.id, "gust") == {ada.id}
        assert found(workspace.id, "ada") == set()
        assert found(workspace.id, "race") == set()


# Valid US numbers (area code, exchange, line), as a sales team's leads hold them.
NUMBERS = ["2025550142", "4155550199", "6175830351", "3058994081", "6464405398"]


@st.composite
def written(draw, digits: str) -> str:
    """A US number as people write it: with or without a country code, the area code in brackets
    or not, spaces, dashes, dots or slashes between the groups."""
    sep = st.sampled_from(["", " ", "-", ".", "/", " - "])
    area = f"({digits[:3]})" if draw(st.booleans()) else digits[:3]
    return (
        draw(st.sampled_from(["", "+1 ", "1-", "+1", "1 "])) + area + draw(sep) + digits[3:6] + draw(sep) + digits[6:]
    )


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(digits=st.sampled_from(NUMBERS), as_alternate=st.booleans(), data=st.data())
def test_a_phone_number_written_any_way_finds_its_lead(app, digits, as_alternate, data):
    typed, searched = data.draw(written(digits)), data.draw(written(digits))
    with app.app_context():
        workspace = Workspace(name="phones")
        db.session.add(workspace)
        db.session.flush()
        lead, _ = lead_store.create_lead(
            workspace,
            {"first_name": "Ada", "email": "ada@example.com", ("alt_phone2" if as_alternate else "phone"): typed},
        )
        other, _ = lead_store.create_lead(workspace, {"phone": "2125969377"})
        assert found(workspace.id, searched) == {lead.id}, (typed, searched)
        # Its last digits too, as they are written.
        tail = searched[-8:] if searched[-8:].strip(" -./") else searched
        assert lead.id in found(workspace.id, tail), (typed, tail)
        # The typed number is not kept twice in the column a search reads.
        assert sorted(lead.search_text.split()) == ["1" + digits, "ada", "ada@example.com"]


def test_upgrading_folds_the_leads_already_there_and_downgrading_restores_them(app):
    from flask_migrate import downgrade, upgrade

    with app.app_context():
        workspace = Workspace(name="before the upgrade")
        db.session.add(workspace)
        db.session.flush()
        lead, _ = lead_store.create_lead(
            workspace, {"first_name": "Ada", "phone": "(202) 555-0142", "email": "Ada@Example.com"}
        )
        lead_id, workspace_id = lead.id, workspace.id
        db.session.remove()
        downgrade(revision="0010")
        # One column: the model's newer columns are not there at 0010.
        assert db.session.scalar(db.select(Lead.search_text).where(Lead.id == lead_id)) == (
            "ada (202) 555-0142 +12025550142 ada@example.com ada@example.com"
        )
        db.session.remove()
        upgrade()
        assert db.session.get(Lead, lead_id).search_text == "ada 12025550142 ada@example.com"
        assert found(workspace_id, "202.555.0142") == {lead_id}
