"""deps.url_for keeps each route's path and resources.linker fills it in for many keys: the
same links as Starlette's url_for."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from starlette.requests import Request

from skillsgraph.api import create_app
from skillsgraph.api.deps import url_for
from skillsgraph.api.resources import linker
from skillsgraph.config import Settings
from skillsgraph.store import EmbeddedStore

ESCO = "http://data.europa.eu/esco/"


def _request(root_path: str = "") -> Request:
    app = create_app(Settings(store="memory"), EmbeddedStore(None))
    return Request(
        {
            "type": "http",
            "app": app,
            "router": app.router,
            "scheme": "https",
            "server": ("skills.example.org", 8443),
            "path": f"{root_path}/",
            "root_path": root_path,
            "headers": [],
            "query_string": b"",
        }
    )


@pytest.mark.parametrize("root_path", ["", "/data-space/v1"])
def test_url_for_gives_what_starlette_gives(root_path: str) -> None:
    request = _request(root_path)
    cases: list[tuple[str, dict[str, str]]] = [
        ("context", {}),
        ("sparql", {}),
        ("skill", {"id": "0a1b-c2"}),
        ("skill", {"id": "ké y%20"}),
        ("store_direct", {"path": "a/b/c"}),
        ("consent_data", {"key": "k1"}),
    ]
    for _ in range(2):  # the second time from the kept paths
        for name, params in cases:
            assert url_for(request, name, **params) == str(request.url_for(name, **params))
    assert url_for(request, "context").startswith(f"https://skills.example.org:8443{root_path}/")


def test_links_are_those_url_for_gives() -> None:
    app = create_app(Settings(store="memory"), EmbeddedStore(None))
    scope = {
        "type": "http",
        "app": app,
        "router": app.router,
        "scheme": "http",
        "server": ("testserver", 80),
        "path": "/",
        "root_path": "",
        "headers": [],
        "query_string": b"",
    }
    request = Request(scope)
    link = linker(request)
    skill = f"{ESCO}skill/0a1b-c2"
    odd = f"{ESCO}skill/ké y%20"
    assert link(skill, [f"{ESCO}model#Skill"]) == str(request.url_for("skill", id="0a1b-c2"))
    assert link(odd, [f"{ESCO}model#Skill"]) == str(request.url_for("skill", id="ké y%20"))
    other = "https://example.org/x?a=b&c=d é"
    expected = str(request.url_for("resource").include_query_params(uri=other))
    assert link(other, []) == expected
    assert quote("é") in expected or "%C3%A9" in expected
