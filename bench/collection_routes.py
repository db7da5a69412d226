"""Time the collection routes on a built store (read-only): each request three times
through the app, best of three, with the number of members it found.

    .venv/bin/python bench/collection_routes.py [.skillsgraph/store]
"""

from __future__ import annotations

import sys
import time

from fastapi.testclient import TestClient

from skillsgraph.api import create_app
from skillsgraph.config import Settings
from skillsgraph.store import open_store

PYTHON = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"
PATHS = [
    "/jobs",
    "/jobs?offset=240",
    f"/jobs?skill={PYTHON}",
    "/jobs?since=2021-01-01&until=2021-06-30",
    "/jobs?text=developer",
    "/jobs/tech-train-12",
    "/learning-opportunities",
    "/learning-opportunities?offset=2500",
    "/learning-opportunities?text=learning",
    "/learning-opportunities?type=programme",
    "/learning-opportunities/course/unitn-120006",
    "/projects",
    "/projects?offset=15300",
    "/projects?limit=100",
    "/projects?topic=ERC-2021-ADG",
    "/projects?field=/23/43/251",
    "/projects?text=data",
    "/projects/101113245",
    "/datasets",
    "/datasets/eurostat-labour-ict-panel",
    "/datasets/eurostat-labour-ict-panel/observations",
    "/datasets/eurostat-labour-ict-panel/observations?limit=100&offset=1800",
    "/datasets/eurostat-labour-ict-panel/observations?refArea=AT&refArea=DE&refPeriod=2020",
    "/datasets/eurostat-labour-ict-panel/observations?indicator=ict_share_pc_emp",
]


def main(location: str) -> None:
    store = open_store(location, read_only=True)
    app = create_app(Settings(store=location), store)
    with TestClient(app) as client:
        for path in PATHS:
            times = []
            for _ in range(3):
                started = time.perf_counter()
                response = client.get(path)
                times.append(time.perf_counter() - started)
            body = response.json()
            found = body.get("total", "-") if response.status_code == 200 else response.text
            print(f"{min(times) * 1000:8.1f} ms  {response.status_code}  total={found}  {path}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".skillsgraph/store")
