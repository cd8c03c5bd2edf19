"""The API's OpenAPI document (/api/v1/openapi.json) is generated from the code and describes every
/api/v1 route, and every /api/v1 error, whatever raised it, answers ``{"error": message, "status": code}``."""
import pytest
from sqlalchemy.exc import OperationalError

SPEC = "/api/v1/openapi.json"
IGNORED_METHODS = {"HEAD", "OPTIONS"}


def openapi_path(rule):
    """``/api/v1/things/<int:thing_id>`` -> ``/api/v1/things/{thing_id}``."""
    path = rule.rule
    for argument in rule.arguments:
        path = path.replace(f"<{argument}>", f"{{{argument}}}")
        for converter in ("int", "string", "float", "path", "uuid"):
            path = path.replace(f"<{converter}:{argument}>", f"{{{argument}}}")
    return path


def api_routes(app):
    """``{openapi path: {methods}}`` of every /api/v1 rule of the app, the document itself aside."""
    routes = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and rule.rule != SPEC:
            routes.setdefault(openapi_path(rule), set()).update(m.lower() for m in rule.methods - IGNORED_METHODS)
    return routes


def test_the_document_describes_exactly_the_api_routes(app, client):
    response = client.get(SPEC)

    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.")
    documented = {path: set(operations) for path, operations in document["paths"].items()}
    routes = api_routes(app)
    assert len(routes) >= 7
    missing = {path: methods - documented.get(path, set()) for path, methods in routes.items()
               if methods - documented.get(path, set())}
    assert missing == {}, "every /api/v1 route is in the document (decorate it with web.api.documented)"
    stale = {path: methods - routes.get(path, set()) for path, methods in documented.items()
             if methods - routes.get(path, set())}
    assert stale == {}, "every documented operation exists"


def test_an_undocumented_api_route_fails_the_check(app):
    """The check above is not vacuous: a route added without ``documented`` is seen as missing."""
    app.add_url_rule("/api/v1/forgotten", "forgotten", lambda: "")
    document = app.test_client().get(SPEC).get_json()
    assert "/api/v1/forgotten" in api_routes(app)
    assert "/api/v1/forgotten" not in document["paths"]


def test_every_operation_documents_its_answers_with_the_one_error_shape(client):
    document = client.get(SPEC).get_json()
    schemas = document["components"]["schemas"]
    error_refs = {name for name, schema in schemas.items() if schema.get("title") == "ApiError"}
    assert error_refs, "the error shape is a component"
    (error_name,) = error_refs
    assert schemas[error_name]["required"] == ["error", "status"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            answers = operation["responses"]
            assert any(code.startswith("2") for code in answers), (method, path)
            assert "401" in answers, (method, path)
            for code, answer in answers.items():
                if int(code) >= 400:
                    ref = answer["content"]["application/json"]["schema"]["$ref"]
                    assert ref == f"#/components/schemas/{error_name}", (method, path, code)
            assert operation["summary"] and operation["security"], (method, path)


def test_device_operations_name_the_bearer_scheme(client):
    document = client.get(SPEC).get_json()
    assert document["components"]["securitySchemes"]["deviceToken"] == {
        "type": "http", "scheme": "bearer", "description": "A device token made by staff at /console/devices"}
    for path, method in (("/api/v1/courier/tasks", "get"), ("/api/v1/courier/position", "post"),
                         ("/api/v1/parcels/lookup", "post")):
        security = document["paths"][path][method]["security"]
        assert {"deviceToken": []} in security and {} not in security, path
    body = document["paths"]["/api/v1/courier/position"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"]["$ref"].startswith("#/components/schemas/PositionIn")


def test_the_document_loads_nothing_from_outside(app):
    """No documentation page (spectree's load their scripts from a CDN): the JSON only."""
    assert [r.rule for r in app.url_map.iter_rules() if "apidoc" in r.rule or r.rule.startswith("/api/v1/redoc")
            or r.rule.startswith("/api/v1/swagger")] == []


# ---- one error shape -------------------------------------------------------------------------------

def _is_error(response, status):
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error", "status"} and body["status"] == status and body["error"]
    return body


def test_404_405_413_answer_the_error_shape(app, client):
    client.set_cookie("lang", "en")
    _is_error(client.get("/api/v1/nothing-here"), 404)
    _is_error(client.delete("/api/v1/stores"), 405)
    too_large = client.post("/api/v1/courier/position", data=b"x" * (9 * 1024 * 1024),
                            content_type="application/json")
    assert "8 MB" in _is_error(too_large, 413)["error"]


@pytest.mark.parametrize("raised, status", [(RuntimeError("boom"), 500),
                                            (OperationalError("SELECT 1", {}, Exception("gone")), 503)])
def test_500_and_503_answer_the_error_shape(app, raised, status, caplog):
    def fail():
        raise raised
    app.add_url_rule("/api/v1/failing", "failing", fail)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the handler answers
    client = app.test_client()
    client.set_cookie("lang", "en")

    body = _is_error(client.get("/api/v1/failing"), status)

    assert "boom" not in body["error"] and "gone" not in body["error"]
