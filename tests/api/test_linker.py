"""resources.linker fills each route's URL in for many keys: the same links as url_for."""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request

from skillsgraph.api import create_app
from skillsgraph.api.resources import linker
from skillsgraph.config import Settings
from skillsgraph.store import EmbeddedStore

ESCO = "http://data.europa.eu/esco/"


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
