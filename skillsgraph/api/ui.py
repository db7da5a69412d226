"""``/ui``: the SPARQL query page (YASGUI, served from the package: no CDN).

The page queries this server's ``/sparql`` and nothing else: YASQE's ``class`` and
``property`` autocompleters (Linked Open Vocabularies look-ups) are removed, prefix
completion uses the list bundled with it (prefix.cc is not called), and the endpoint
catalogue lists only this endpoint. On a first visit the example queries in
``static/examples/`` open as tabs, each with the prefixes it uses declared.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from skillsgraph.namespaces import PREFIXES

STATIC = Path(__file__).parent / "static"
router = APIRouter(tags=["Query page"])


@dataclass(frozen=True)
class Example:
    """An example query: a tab title and its text, prefixes declared."""

    title: str
    query: str


def examples() -> list[Example]:
    """The example queries, in file-name order (``# title:`` gives a tab its name)."""
    found = []
    for path in sorted((STATIC / "examples").glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        match = re.search(r"^# title: (.+)$", text, re.MULTILINE)
        body = re.sub(r"^# title: .+\n", "", text, flags=re.MULTILINE)
        found.append(Example(match.group(1) if match else path.stem, with_prefixes(body)))
    return found


def with_prefixes(query: str) -> str:
    """``query`` with a PREFIX declaration for each of the project's prefixes it uses."""
    used = [p for p in PREFIXES if re.search(rf"(?<![\w:?$]){re.escape(p)}:", query)]
    return "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in used) + query


@router.get("/", include_in_schema=False)
def root(request: Request) -> RedirectResponse:
    return RedirectResponse(str(request.url_for("ui")), status_code=307)


@router.get("/ui", name="ui", response_class=HTMLResponse)
def ui(request: Request) -> HTMLResponse:
    """The SPARQL query page."""
    static = str(request.url_for("static", path="")).rstrip("/")
    config = {
        "endpoint": str(request.url_for("sparql")),
        "examples": [{"name": e.title, "query": e.query} for e in examples()],
    }
    # JSON inside <script>: "</" must not close the element.
    config_json = json.dumps(config, ensure_ascii=False).replace("</", "<\\/")
    page = _PAGE.format(
        static=html.escape(static),
        endpoint=html.escape(config["endpoint"]),  # type: ignore[arg-type]
        docs=html.escape(str(request.url_for("swagger_ui_html"))),
        config=config_json,
    )
    return HTMLResponse(page)


_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>skillsgraph · SPARQL</title>
<link rel="stylesheet" href="{static}/yasgui/yasgui.min.css">
<style>
  body {{ margin: 0; font-family: system-ui, sans-serif; }}
  header {{ padding: 0.5rem 1rem; background: #003399; color: #fff; }}
  header a, header code {{ color: #ffcc00; }}
  #yasgui {{ padding: 0 0.5rem; }}
</style>
</head>
<body>
<header><strong>skillsgraph</strong> SPARQL endpoint <code>{endpoint}</code>
 · public data (ontology and sources) · <a href="{docs}">API documentation</a></header>
<div id="yasgui"></div>
<script src="{static}/yasgui/yasgui.min.js"></script>
<script id="skillsgraph-config" type="application/json">{config}</script>
<script>
(function () {{
  const config = JSON.parse(document.getElementById("skillsgraph-config").textContent);
  // Nothing leaves this server: no Linked Open Vocabularies look-ups, no prefix.cc.
  Yasgui.Yasqe.defaults.autocompleters = Yasgui.Yasqe.defaults.autocompleters
    .filter(function (name) {{ return name !== "class" && name !== "property"; }});
  Yasgui.Yasqe.defaults.prefixCcApi = null;
  const yasgui = new Yasgui(document.getElementById("yasgui"), {{
    requestConfig: {{ endpoint: config.endpoint, method: "POST" }},
    copyEndpointOnNewTab: false,
    autoAddOnInit: false,
    corsProxy: undefined,
    persistenceId: "skillsgraph",
    tabName: "Query",
    endpointCatalogueOptions: {{
      getData: function () {{ return [{{ endpoint: config.endpoint }}]; }},
      keys: []
    }}
  }});
  if (yasgui.persistentConfig.getTabs().length === 0) {{
    config.examples.forEach(function (example, i) {{
      yasgui.addTab(i === 0, {{ name: example.name, yasqe: {{ value: example.query }} }});
    }});
  }}
  Object.keys(yasgui._tabs).forEach(function (id) {{
    yasgui.getTab(id).setEndpoint(config.endpoint);
  }});
  window.yasgui = yasgui;
}})();
</script>
</body>
</html>
"""
