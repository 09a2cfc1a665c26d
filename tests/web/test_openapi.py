"""The API against its own OpenAPI description: schemathesis generates requests for every
operation (no 5xx, every answer as described), and no operation answers without a token."""

import re

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import checks

from support import auth

# What the API promises: never a 5xx, only described status codes, content types, headers and
# bodies, and no answer without a token. (A schema-valid body may still be refused with a reason —
# an address that is not a phone number, no line — so "positive data accepted" is not among them.)
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
    checks.ignored_auth,
]


def test_the_api_behaves_as_described(app, token):
    # Driven by hand rather than by schemathesis's pytest plugin, which does not run on pytest 9.
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 13
    # Half the time a lead's URL names a real lead (a random id finds none): PATCH and DELETE are
    # tried on one too. One deleted is replaced.
    leads = [_new_lead(app, token)]
    for operation in operations:

        @given(case=operation.as_strategy(), real=st.booleans())
        @settings(max_examples=30, database=None, suppress_health_check=list(HealthCheck))
        def behaves(case, real):
            if real and "leadId" in (case.path_parameters or {}):
                case.path_parameters["leadId"] = str(leads[-1])
            response = case.call_and_validate(headers=auth(token), checks=CHECKS)
            if response.status_code == 204:
                leads.append(_new_lead(app, token))

        behaves()


def _new_lead(app, token) -> int:
    response = app.test_client().post("/api/leads", headers=auth(token), json={"leads": [{"phone": "2025550142"}]})
    return int(response.json["leadIds"][0])


def test_every_api_route_is_described(app, client):
    described = set(client.get("/api/openapi.json").json["paths"])
    routes = {
        re.sub(r"<(?:\w+:)?(\w+)>", lambda m: "{" + _camel(m.group(1)) + "}", rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
    }
    assert routes - {"/api/openapi.json"} == described


def _camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(part.title() for part in rest)


def test_no_operation_answers_without_a_valid_token(client, token):
    paths = client.get("/api/openapi.json").json["paths"]
    for path, operations in paths.items():
        url = re.sub(r"\{\w+\}", "1", path)
        for method in operations:
            for headers in ({}, auth("imc_forged"), {"Authorization": f"Token {token}"}):
                response = client.open(url, method=method.upper(), headers=headers)
                assert response.status_code == 401, (method, url, headers)
                assert response.json["success"] is False and response.json["code"] == 401
