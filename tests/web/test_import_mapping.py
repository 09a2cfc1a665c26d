"""The import mapping page: one row per column of the file (its header, a few of its values, the
field it goes to), and each problem said once, beside the column it concerns."""

import io
import re

from extensions import db
from models import Upload

# Five columns; the second phone is filled on one row in four, the last column is empty.
CSV = (
    "Name,Cell,Email Address,Other Phone,Notes\n"
    "Ada Lovelace,(202) 555-0142,ada@example.com,,\n"
    "Grace Hopper,202-555-0143,grace@icloud.com,,\n"
    "Alan Turing,202 555 0145,alan@gmail.com,202 555 0147,\n"
    "Ada Lovelace,202 555 0148,,,\n"
    "Edsger Dijkstra,202 555 0149,ed@example.com,,\n"
)


def upload(client, content: str) -> int:
    response = client.post(
        "/leads/import/", data={"file": (io.BytesIO(content.encode()), "crm.csv")}, content_type="multipart/form-data"
    )
    assert response.status_code == 302
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def rows(page: str) -> list[str]:
    return re.findall(r'<li class="mapping-row[^"]*" data-column="\d+">(.*?)</div>\s*</li>', page, re.S)


def samples(row: str) -> list[str]:
    return re.findall(r'<li title="[^"]*">([^<]*)</li>', row)


def test_one_row_per_column_with_its_header_three_samples_and_its_field(logged_in):
    upload_id = upload(logged_in, CSV)
    page = logged_in.get(f"/leads/import/{upload_id}").get_data(as_text=True)
    found = rows(page)
    assert len(found) == 5
    assert "<table" not in page  # nothing as wide as the file: its columns are rows
    headers = [re.search(r"</span>([^<]*)</label>", row).group(1) for row in found]
    assert headers == ["Name", "Cell", "Email Address", "Other Phone", "Notes"]
    # Three values a column, blanks and repeats skipped: a sparse column still shows what it holds.
    assert samples(found[0]) == ["Ada Lovelace", "Grace Hopper", "Alan Turing"]
    assert samples(found[1]) == ["(202) 555-0142", "202-555-0143", "202 555 0145"]
    assert samples(found[3]) == ["202 555 0147"]
    assert samples(found[4]) == [] and "empty in the first rows" in found[4]
    for i, row in enumerate(found):
        assert f'<label class="mapping-header" for="column-{i}">' in row
        assert f'<select id="column-{i}" name="column-{i}"' in row
    assert '<option value="mobile_phone" selected>' in found[1]
    assert '<option value="any_phone" selected>' in found[3]


def test_a_column_taking_a_field_already_taken_says_so_once_beside_it(app, logged_in):
    upload_id = upload(logged_in, CSV)
    chosen = {"column-0": "full_name", "column-1": "phone", "column-2": "email", "column-3": "phone"}
    response = logged_in.post(f"/leads/import/{upload_id}", data=chosen)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    message = "Column “Cell” is already Primary phone"
    assert page.count(message) == 1
    found = rows(page)
    assert message in found[3] and 'aria-invalid="true" aria-describedby="column-3-problem"' in found[3]
    assert all(message not in row for i, row in enumerate(found) if i != 3)
    assert "More than one column" not in page and 'class="flash' not in page
    # What was chosen comes back as chosen, to be corrected, not guessed again.
    assert '<option value="alt_phone1"' in found[3] and '<option value="phone" selected>' in found[3]
    assert '<option value="full_name" selected>' in found[0]
    with app.app_context():
        assert db.session.get(Upload, upload_id).state == "mapping"


def test_a_mapping_with_no_address_says_so_once_above_the_columns(app, logged_in):
    upload_id = upload(logged_in, CSV)
    response = logged_in.post(f"/leads/import/{upload_id}", data={"column-0": "full_name"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert page.count("No column holds a phone number or an email address") == 1
    assert 'aria-invalid="true"' not in page and 'class="flash' not in page
    assert '<option value="full_name" selected>' in rows(page)[0]
