"""Generate the demo consents of the learners source: one consent per OULAD learner.

OULAD records no consent, so the data space needs a documented, reproducible mix to show
consent enforcement on real learner records. Every learner of ``studentInfo.csv`` gets one
consent; a seeded shuffle of the learners (sorted by id) decides its kind:

- ``given`` (the rest, about 70%): dpv:ConsentGiven, all four purposes, all five
  participants as recipients;
- ``given-narrow`` (10%): dpv:ConsentGiven, scientific research only, recipients
  open-university and demo-research-lab;
- ``withdrawn`` (10%): dpv:ConsentWithdrawn, otherwise as ``given``;
- ``expired`` (10%): dpv:ConsentExpired, otherwise as ``given``, and a past expiry.

Each 10% share is rounded down, ``given`` takes the rest (about 70%). The four purposes are
the closed list of DESIGN.md (sg:MatchingAndRecommendations, sg:OfficialStatistics,
sg:ScientificResearch, sg:CareerGuidance); the recipients are the participants below. A
consent that still permits processing is valid until a day drawn uniformly in 2030-2034;
an expired one ended on a day drawn uniformly in 2023-2024 (a withdrawn one keeps the
expiry it was given). Writes ``consents.csv`` and ``participants.csv``; the learners mapping
(``mappings/learners/learners.yml``) reads both. The same inputs and seed give the same
bytes, which ``tests/test_learners.py`` checks.

Usage: python scripts/generate_demo_consents.py [--students CSV] [--out DIR] [--seed N]
"""

from __future__ import annotations

import argparse
import csv
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STUDENTS = ROOT / "data" / "learners" / "oulad" / "studentInfo.csv"
OUT = ROOT / "data" / "learners"
SEED = 27560  # ISO/IEC TS 27560, the consent record layout DPV follows

PURPOSES = (
    "MatchingAndRecommendations",
    "OfficialStatistics",
    "ScientificResearch",
    "CareerGuidance",
)
"""Local names of the sg:Purpose individuals (ontology/consent.ttl) a consent may list."""


@dataclass(frozen=True)
class Participant:
    slug: str
    name: str
    description: str


CONTROLLER = "open-university"
PARTICIPANTS = (
    Participant(
        CONTROLLER,
        "The Open University",
        "UK distance-learning university: the provider of the OULAD modules and the data "
        "controller of its learners' records",
    ),
    Participant(
        "demo-job-matching",
        "Job-matching platform (demo)",
        "fictional participant that matches learners with job postings and courses",
    ),
    Participant(
        "demo-statistics-office",
        "National statistics office (demo)",
        "fictional participant that produces official statistics on skills and education",
    ),
    Participant(
        "demo-research-lab",
        "Skills research lab (demo)",
        "fictional participant that does scientific research on learning and skills",
    ),
    Participant(
        "demo-career-service",
        "Career guidance service (demo)",
        "fictional participant that guides learners on careers and further learning",
    ),
)


@dataclass(frozen=True)
class Kind:
    """One kind of demo consent: its share of the learners and what it grants."""

    name: str
    share_percent: int | None  # None: every learner not given another kind
    status: str
    purposes: tuple[str, ...]
    recipients: tuple[str, ...]
    expired: bool = False


EVERYONE = tuple(p.slug for p in PARTICIPANTS)
KINDS = (
    Kind(
        "given-narrow",
        10,
        "ConsentGiven",
        ("ScientificResearch",),
        (CONTROLLER, "demo-research-lab"),
    ),
    Kind("withdrawn", 10, "ConsentWithdrawn", PURPOSES, EVERYONE),
    Kind("expired", 10, "ConsentExpired", PURPOSES, EVERYONE, expired=True),
    Kind("given", None, "ConsentGiven", PURPOSES, EVERYONE),
)
VALID_FROM, VALID_DAYS = datetime(2030, 1, 1, tzinfo=UTC), 5 * 365
EXPIRED_FROM, EXPIRED_DAYS = datetime(2023, 1, 1, tzinfo=UTC), 2 * 365
CONSENT_COLUMNS = ("id_student", "kind", "status", "purposes", "recipients", "valid_until")
PARTICIPANT_COLUMNS = ("slug", "name", "description")


def kind_counts(learners: int) -> dict[str, int]:
    """How many learners get each kind: each share rounded down, the rest ``given``."""
    counts = {k.name: learners * k.share_percent // 100 for k in KINDS if k.share_percent}
    rest = [k.name for k in KINDS if k.share_percent is None]
    counts[rest[0]] = learners - sum(counts.values())
    return counts


def learner_ids(students: Path) -> list[int]:
    """The distinct ``id_student`` values of an OULAD ``studentInfo.csv``, ascending."""
    with students.open(newline="", encoding="utf-8") as f:
        return sorted({int(row["id_student"]) for row in csv.DictReader(f)})


def consent_rows(ids: list[int], seed: int = SEED) -> list[dict[str, str]]:
    """One demo consent per learner, in ascending ``id_student`` order."""
    rng = random.Random(seed)
    order = ids[:]
    rng.shuffle(order)
    counts = kind_counts(len(ids))
    kind_of: dict[int, Kind] = {}
    start = 0
    for kind in KINDS:
        for learner in order[start : start + counts[kind.name]]:
            kind_of[learner] = kind
        start += counts[kind.name]
    rows = []
    for learner in ids:  # draw expiries in id order, so one learner's draw never moves
        kind = kind_of[learner]
        begin, days = (EXPIRED_FROM, EXPIRED_DAYS) if kind.expired else (VALID_FROM, VALID_DAYS)
        until = begin + timedelta(days=rng.randrange(days))
        rows.append(
            {
                "id_student": str(learner),
                "kind": kind.name,
                "status": kind.status,
                "purposes": " ".join(kind.purposes),
                "recipients": " ".join(kind.recipients),
                "valid_until": until.strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
        )
    return rows


def write_csv(path: Path, columns: tuple[str, ...], rows: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def generate(students: Path, out: Path, seed: int = SEED) -> dict[str, int]:
    """Write ``out/consents.csv`` and ``out/participants.csv``; return the kind counts."""
    rows = consent_rows(learner_ids(students), seed)
    write_csv(out / "consents.csv", CONSENT_COLUMNS, rows)
    participants = [
        {"slug": p.slug, "name": p.name, "description": p.description} for p in PARTICIPANTS
    ]
    write_csv(out / "participants.csv", PARTICIPANT_COLUMNS, participants)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["kind"]] = counts.get(row["kind"], 0) + 1
    return counts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=Path, default=STUDENTS, help="OULAD studentInfo.csv")
    parser.add_argument("--out", type=Path, default=OUT, help="folder for the two CSV files")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    counts = generate(args.students, args.out, args.seed)
    total = sum(counts.values())
    for name, n in counts.items():
        print(f"{name:13} {n:6,} ({n / total:.1%})")
    print(f"{'total':13} {total:6,} -> {args.out / 'consents.csv'}")


if __name__ == "__main__":
    main()
