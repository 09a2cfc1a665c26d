"""No input makes a 500. Hypothesis sends every API operation that takes a body arbitrary JSON (deep,
huge, with NULs and lone surrogates), bodies shaped like the API's own with arbitrary values, and
raw bytes; and every GET route, UI and API, arbitrary values for every query parameter the views
read. Routes come from the URL map and parameters from the views' source, so new ones are covered.
Every answer is below 500, and every answer under /api is JSON."""

import io
import json
import re
from pathlib import Path
from urllib.parse import quote, urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from blueprints import api_schema
from extensions import db
from models import CheckBatch, User
from support import ROOT, auth

# Moderate, to run in well under a minute per database; the operations taking a body get more.
FUZZ = settings(max_examples=40, database=None, suppress_health_check=list(HealthCheck))
FUZZ_BODIES = settings(FUZZ, max_examples=150)

# Any character at all: NUL, lone surrogates, unassigned code points.
ANY_TEXT = st.text(alphabet=st.characters(blacklist_categories=()))
HUGE_TEXT = st.integers(0, 200_000).map(lambda n: "x" * n)
EDGE_NUMBERS = st.sampled_from(
    ["9223372036854775807", "-9223372036854775809", "-1", "0", "1e309", "NaN", "2147483648", "9" * 5000, "１２", "0x10"]
)
# Text that broke the API once, or could: a lone surrogate, a NUL, one past a column's length.
NASTY = (
    ANY_TEXT
    | HUGE_TEXT
    | EDGE_NUMBERS
    | st.sampled_from(["\ud800", "2025550142\udfff", "\x00", "ada@example.com\x00", "x" * 101, "x" * 201, "2" * 255])
)
# A value that gets as far as the database (a real address), with anything after it: a lone
# surrogate or a NUL as often as any other text (drawn from all of Unicode, they are rare).
FURTHEST = st.tuples(
    st.sampled_from(["2025550142", "+44 20 7946 0958", "ada@example.com", "Ada"]),
    ANY_TEXT | st.sampled_from(["\ud800", "\x00", "\udfff-"]),
).map("".join)
SCALARS = st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | NASTY


def _read_params() -> set[str]:
    """The query parameters the views read: `args.get("x")`, `args.getlist("x")`, `args["x"]`."""
    source = "".join(p.read_text() for p in [ROOT / "app.py", *Path(ROOT, "blueprints").glob("*.py")])
    return set(re.findall(r"""\bargs(?:\.get(?:list)?\(|\[)\s*["'](\w+)["']""", source))


CONTENT_TYPES = st.sampled_from(
    [
        "application/json",
        "application/json; charset=utf-16",
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        None,
    ]
)


def _often(likely, rarely):
    """`likely` three times in four."""
    return st.one_of(likely, likely, likely, rarely)


def _body_schemas(rule: str | None = None) -> list[dict]:
    """The request bodies' schemas in the OpenAPI document (for the route `rule`, or all of them)."""
    path = rule and re.sub(r"<(?:\w+:)?(\w+)>", lambda m: "{" + _camel(m.group(1)) + "}", rule)
    return [
        schema
        for where, ops in api_schema.PATHS.items()
        if path in (None, where)
        for op in ops.values()
        for content in op.get("requestBody", {}).get("content", {}).values()
        for schema in [content["schema"]]
    ]


def _camel(name: str) -> str:
    """A URL argument's name in the OpenAPI document: lead_id is leadId."""
    first, *rest = name.split("_")
    return first + "".join(part.title() for part in rest)


def _like(schema: dict, anything):
    """Values shaped like `schema` (objects with its properties, lists of its items), each part
    sometimes `anything` instead, and anything at the leaves."""
    if "$ref" in schema:
        return st.deferred(lambda: _like(api_schema.SCHEMAS[schema["$ref"].rsplit("/", 1)[1]], anything))
    if "oneOf" in schema or "allOf" in schema:
        return st.one_of([_like(part, anything) for part in schema.get("oneOf", schema.get("allOf"))])
    if "properties" in schema:
        parts = {name: _like(part, anything) for name, part in schema["properties"].items()}
        # Any of its properties alike (fixed_dictionaries' optional keys favour the first ones).
        shaped = st.lists(st.sampled_from(sorted(parts)), unique=True).flatmap(
            lambda names: st.fixed_dictionaries({name: parts[name] for name in names})
        )
    elif "items" in schema:
        shaped = st.lists(_like(schema["items"], anything), min_size=1, max_size=5)
    else:
        return _often(FURTHEST, NASTY | anything)
    return _often(shaped, anything)


def _bodies(schemas: list[dict]):
    """(Content-Type, body): mostly JSON shaped like the route's bodies with anything in them (it gets
    furthest); else JSON of any shape, absurdly deep JSON or bytes, and other types."""
    names = st.sampled_from(sorted({n for schema in _body_schemas() for n in schema.get("properties", {})})) | ANY_TEXT
    anything = st.recursive(
        SCALARS, lambda inner: st.lists(inner, max_size=5) | st.dictionaries(names, inner, max_size=5), max_leaves=20
    )
    shaped = st.one_of([_like(schema, anything) for schema in schemas]) if schemas else anything
    encoded = _often(shaped, anything).flatmap(
        lambda value: st.sampled_from(
            [
                json.dumps(value).encode(),  # surrogates as \ud800 escapes
                json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass"),  # as raw (invalid) bytes
            ]
        )
    )
    deep = st.tuples(st.integers(1, 100_000), st.sampled_from(["[", '{"leads":', '{"a":['])).map(
        lambda d: (d[1] * d[0]).encode()
    )
    raw = deep | st.binary(max_size=2000)
    return _often(st.tuples(st.just("application/json"), _often(encoded, raw)), st.tuples(CONTENT_TYPES, encoded | raw))


def _url(rule, ids: list[int], draw) -> str:
    """The rule's path with each part drawn: a real row's id or any number, any text for the rest."""

    def part(match):
        if match["converter"] == "int":
            return str(draw(st.sampled_from(ids) | st.integers(0, 2**70)))
        return quote(draw(ANY_TEXT.filter(bool)).encode("utf-8", "surrogatepass"), safe="")

    return re.sub(r"<(?:(?P<converter>\w+):)?\w+>", part, rule.rule)


def _check(response, path: str):
    assert response.status_code < 500, (path, response.status_code, response.get_data()[:300])
    if path.startswith("/api") and response.status_code != 204:  # 204: no content at all
        assert response.is_json, (path, response.status_code, response.data[:300])
        body = response.get_json()
        if response.status_code >= 400:
            assert body["success"] is False and body["code"] == response.status_code and body["error"], body


def _new_lead(client, token) -> int:
    lead = client.post("/api/leads", headers=auth(token), json={"leads": [{"phone": "2025550142"}]})
    assert lead.status_code == 201, lead.json
    return int(lead.json["leadIds"][0])


def _sent(client, token, ids: list[int], path: str, response) -> None:
    """Check the answer; a lead deleted (204) is replaced (ids[0]), so that later requests still
    find one. In place: Hypothesis wants the same choices each time it replays an example."""
    _check(response, path)
    if response.status_code == 204:
        ids[0] = _new_lead(client, token)


def _fixtures(app, client, token) -> list[int]:
    """A lead, an upload and a batch of the user's, so ids in URLs find real rows too."""
    lead_id = _new_lead(client, token)
    upload = client.post(
        "/api/leads/import",
        headers=auth(token),
        data={"file": (io.BytesIO(b"Name,Phone\nAda,2025550143\n"), "leads.csv")},
    )
    assert upload.status_code == 202, upload.json
    with app.app_context():
        batch = CheckBatch(workspace_id=db.session.scalars(db.select(User)).one().workspace_id, kind="bulk")
        db.session.add(batch)
        db.session.commit()
        return [lead_id, int(upload.json["uploadId"]), batch.id]


def test_no_body_makes_a_500_and_every_api_answer_is_json(app, logged_in, token):
    ids = _fixtures(app, logged_in, token)
    assert len(_body_schemas()) >= 3
    rules = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")]
    assert sum("POST" in rule.methods for rule in rules) >= 3
    for rule in rules:
        _send_bodies(logged_in, token, rule, ids)


def _send_bodies(client, token, rule, ids: list[int]) -> None:
    # Mostly the route's own methods; sometimes one it lacks (a 405, in JSON).
    methods = _often(
        st.sampled_from(sorted(rule.methods - {"HEAD", "OPTIONS"})),
        st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE"]),
    )
    schemas = _body_schemas(rule.rule)

    @(FUZZ_BODIES if schemas else FUZZ)
    @given(data=st.data(), method=methods, typed_body=_bodies(schemas))
    def sends(data, method, typed_body):
        content_type, body = typed_body
        path = _url(rule, ids, data.draw)
        headers = {**auth(token), **({"Content-Type": content_type} if content_type else {})}
        _sent(client, token, ids, path, client.open(path, method=method, data=body, headers=headers))

    @FUZZ
    @given(
        data=st.data(),
        method=methods,
        content=st.binary(max_size=4000) | HUGE_TEXT.map(str.encode),
        name=ANY_TEXT.map(lambda t: t.encode("utf-8", "surrogatepass").decode("utf-8", "replace")),
    )
    def uploads(data, method, content, name):
        path = _url(rule, ids, data.draw)
        _sent(
            client,
            token,
            ids,
            path,
            client.open(
                path,
                method=method,
                headers=auth(token),
                content_type="multipart/form-data",
                data={"file": (io.BytesIO(content), name)},
            ),
        )

    sends()
    uploads()


def test_no_query_parameter_makes_a_500(app, logged_in, token):
    ids = _fixtures(app, logged_in, token)
    params = _read_params()
    assert {"page", "status", "q", "sort", "lead", "batch", "id", "next", "to"} <= params
    rules = [rule for rule in app.url_map.iter_rules() if "GET" in rule.methods]
    assert len(rules) >= 15
    for rule in rules:
        _ask(logged_in, token, rule, ids, params)


def _ask(client, token, rule, ids: list[int], params: set[str]) -> None:
    as_bytes = ANY_TEXT.map(lambda t: t.encode("utf-8", "surrogatepass"))  # lone surrogates as raw bytes
    numbers = EDGE_NUMBERS | st.integers(2**57, 2**70).map(str) | st.integers().map(str)
    values = _often(numbers.map(str.encode), as_bytes | st.binary(max_size=300))
    # Some of the parameters the views read (any of them alike), and sometimes others.
    known = st.lists(st.sampled_from(sorted(params)), unique=True, min_size=1).flatmap(
        lambda names: st.tuples(*(st.tuples(st.just(name), values) for name in names))
    )
    query = st.tuples(known, st.lists(st.tuples(as_bytes, values), max_size=2)).map(lambda q: [*q[0], *q[1]])

    @FUZZ
    @given(data=st.data(), query=query)
    def asks(data, query):
        path = _url(rule, ids, data.draw)
        _check(client.get(path, query_string=urlencode(query), headers=auth(token)), path)

    asks()
