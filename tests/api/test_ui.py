"""``/ui``: the YASGUI query page, served from the package; run in headless Chromium."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from skillsgraph.api.ui import STATIC, examples
from tests.api.conftest import Server, chromium_executable


def test_the_page_queries_this_server_and_loads_nothing_from_elsewhere(
    client: TestClient,
) -> None:
    response = client.get("/ui")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    page = response.text
    assert '"endpoint": "http://testserver/sparql"' in page
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources and all(urlsplit(s).netloc in ("", "testserver") for s in sources), sources
    assert 'name !== "class" && name !== "property"' in page  # no LOV look-ups
    assert "prefixCcApi = null" in page


def test_root_redirects_to_the_page(client: TestClient) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 307 and response.headers["location"] == "http://testserver/ui"


def test_yasgui_is_served_from_the_package_with_its_licence(client: TestClient) -> None:
    script = client.get("/ui/static/yasgui/yasgui.min.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert client.get("/ui/static/yasgui/yasgui.min.css").status_code == 200
    assert "MIT" in (STATIC / "yasgui" / "LICENSE").read_text()
    assert "@zazuko/yasgui" in (STATIC / "yasgui" / "SOURCE.md").read_text()


def test_the_api_documentation_loads_nothing_from_elsewhere(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    sources = re.findall(r"""(?:src|href|url)[=:] ?['"]([^'"]+)['"]""", page.text)
    assert len(sources) == 4 and all(urlsplit(s).netloc == "testserver" for s in sources)
    for source in sources:
        assert client.get(source).status_code == 200, source
    assert client.get("/redoc").status_code == 404  # ReDoc would load from a CDN
    assert "Apache License" in (STATIC / "swagger" / "LICENSE").read_text()
    assert "swagger-ui-dist" in (STATIC / "swagger" / "SOURCE.md").read_text()


@pytest.mark.parametrize("example", examples(), ids=lambda e: e.title)
def test_every_example_query_runs(client: TestClient, example: object) -> None:
    query = example.query  # type: ignore[attr-defined]
    response = client.post("/sparql", data={"query": query})
    assert response.status_code == 200, response.text
    assert response.json()["results"]["bindings"], "the example finds nothing in the sample"


def test_examples_declare_the_prefixes_they_use() -> None:
    found = examples()
    assert len(found) >= 3
    demand = next(e for e in found if "demand" in e.title)
    assert demand.query.startswith("PREFIX sg: ")
    assert "PREFIX skos: " in demand.query and "PREFIX dpv:" not in demand.query


@pytest.mark.slow
def test_a_query_runs_in_headless_chromium(server: Server) -> None:
    from playwright.sync_api import sync_playwright

    executable = chromium_executable()
    elsewhere: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.on(
                "request",
                lambda r: None if r.url.startswith(server.url) else elsewhere.append(r.url),
            )
            page.goto(f"{server.url}/ui")
            page.wait_for_function("window.yasgui !== undefined")
            tabs = page.locator(".yasgui .tabsList .tab").all_inner_texts()
            assert any("Essential skills" in t for t in tabs), tabs
            page.evaluate(
                """() => yasgui.getTab().getYasqe().setValue(
                  'PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\\n' +
                  'SELECT ?label WHERE { ?s skos:prefLabel ?label FILTER(lang(?label) = "en") }' +
                  ' ORDER BY ?label')"""
            )
            page.locator(".yasqe_queryButton").click()
            cell = page.locator(".yasr table tbody tr td", has_text="data scientist")
            cell.first.wait_for(timeout=15_000)
            rows = page.locator(".yasr table tbody tr").count()
            assert rows >= 5
        finally:
            browser.close()
    assert elsewhere == [], f"the page requested other hosts: {elsewhere}"
