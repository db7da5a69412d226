"""Benchmark: link the skill spans of the Decorte et al. benchmark to ESCO skills.

For each file of ``data/job_postings/skill_extraction_benchmark`` (see its SOURCE.md), a
mention is one distinct (sentence, span) pair whose gold labels are ESCO preferred labels
(rows labelled ``LABEL NOT PRESENT`` or ``UNDERSPECIFIED`` are left out); a prediction is
right when its skill is one of the mention's gold skills. Prints, per file and overall:
top-1 and top-5 accuracy of :meth:`SkillLinker.link` on ``span`` and on ``sub_span``
(falling back to ``span``), against a baseline that only matches the preferred label
exactly (case-insensitive); then the index build time and the time per mention, single
and batched; then, on the validation files, how precision and recall move with
``min_score`` (mentions labelled ``LABEL NOT PRESENT`` included, as errors if linked).
techwolf has no spans: its whole sentence is the mention.

Tune on the validation files only (``--tune`` sweeps the weight of the fuzzy score);
report the test files. Run: ``.venv/bin/python bench/link_decorte.py`` (about a minute).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from rapidfuzz import fuzz

from skillsgraph.linking import linker as linker_module
from skillsgraph.linking.index import LabelIndex, build_index
from skillsgraph.linking.labels import ESCO_DIR
from skillsgraph.linking.linker import SkillLinker

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "job_postings" / "skill_extraction_benchmark"
VALIDATION = ("tech_validation", "house_validation")
TEST = ("tech_test", "house_test", "techwolf_test")
NO_LABEL = ("LABEL NOT PRESENT", "UNDERSPECIFIED")
THRESHOLDS = (0.0, 0.7, 0.8, 0.85, 0.9, 0.95, 1.0)


@dataclass(frozen=True)
class Mention:
    text: str
    gold: frozenset[str]  # IRIs; empty for LABEL NOT PRESENT


@dataclass
class Score:
    mentions: int = 0
    baseline: int = 0
    top1: int = 0
    top5: int = 0

    def add(self, other: Score) -> None:
        self.mentions += other.mentions
        self.baseline += other.baseline
        self.top1 += other.top1
        self.top5 += other.top5

    def row(self, name: str, width: int = 18) -> str:
        n = max(self.mentions, 1)
        return (
            f"{name:<{width}}{self.mentions:>9}{self.baseline / n:>10.3f}"
            f"{self.top1 / n:>8.3f}{self.top5 / n:>8.3f}"
        )


def mentions(name: str, iri_of: dict[str, str], *, column: str) -> list[Mention]:
    """The labelled mentions of one file, ``column`` being ``span`` or ``sub_span``."""
    frame = pl.read_csv(DATA / f"{name}_annotations.csv", infer_schema=False)
    if "span" not in frame.columns:
        frame = frame.with_columns(span=pl.col("sentence"), sub_span=pl.lit(None, pl.String))
    text = pl.col("span") if column == "span" else pl.coalesce("sub_span", "span")
    grouped = (
        frame.filter(pl.col("label") != "UNDERSPECIFIED")
        .with_columns(text=text)
        .group_by("sentence", "text", maintain_order=True)
        .agg(pl.col("label").unique())
    )
    missing = {x for labels in grouped["label"] for x in labels} - set(iri_of) - set(NO_LABEL)
    if missing:
        print(f"  {name}: {len(missing)} gold label(s) not in ESCO: {sorted(missing)[:5]}")
    return [
        Mention(text, frozenset(iri_of[x] for x in labels if x in iri_of))
        for _, text, labels in grouped.iter_rows()
    ]


def evaluate(linker: SkillLinker, found: list[Mention], exact: dict[str, str]) -> Score:
    score = Score()
    for mention in (m for m in found if m.gold):
        ranked = [c.iri for c in linker.link(mention.text, top=5)]
        score.mentions += 1
        score.baseline += exact.get(mention.text.strip().casefold()) in mention.gold
        score.top1 += bool(ranked) and ranked[0] in mention.gold
        score.top5 += any(iri in mention.gold for iri in ranked)
    return score


def accuracy_table(linker: SkillLinker, names: Sequence[str], index: LabelIndex) -> None:
    iri_of = dict(zip(index.skills.preferred, index.skills.iris, strict=True))
    exact = {label.casefold(): iri for label, iri in iri_of.items()}
    for column in ("span", "sub_span"):
        print(f"{'mention = ' + column:<18}{'mentions':>9}{'baseline':>10}{'top-1':>8}{'top-5':>8}")
        for group, members in (("validation", VALIDATION), ("test", TEST)):
            total = Score()
            for name in (n for n in names if n in members):
                score = evaluate(linker, mentions(name, iri_of, column=column), exact)
                total.add(score)
                print(score.row(name))
            if total.mentions:
                print(total.row(f"all {group}"))
        print()


def timings(names: Sequence[str]) -> None:
    """Build time of a fresh index; time per mention of each file, one by one with
    ``link(top=5)`` and all at once with ``link_many`` (each on its own fresh index, whose
    cache of similar words then warms up over the files, as in a long-running process)."""
    started = time.perf_counter()
    index = build_index(ESCO_DIR, "en")
    build = time.perf_counter() - started
    print(
        f"index build (en): {build:.2f} s for {len(index.skills.iris):,} skills, "
        f"{len(index.skills.labels):,} labels, {len(index.choices):,} distinct normalised"
    )
    iri_of = dict(zip(index.skills.preferred, index.skills.iris, strict=True))
    single = SkillLinker({"en": index})
    batched = SkillLinker({"en": build_index(ESCO_DIR, "en")})
    print(f"{'ms per mention':<18}{'mentions':>9}{'distinct':>9}{'single':>8}{'batched':>9}")
    for name in names:
        texts = [m.text for m in mentions(name, iri_of, column="span")]
        one = _per_item(lambda: [single.link(t, top=5) for t in texts], len(texts))  # noqa: B023
        many = _per_item(lambda: batched.link_many(texts), len(texts))  # noqa: B023
        distinct = len({index.normalise(t) for t in texts})
        print(f"{name:<18}{len(texts):>9}{distinct:>9}{one * 1000:>8.2f}{many * 1000:>9.2f}")


def _per_item(action: Callable[[], object], count: int) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) / max(count, 1)


def threshold_table(linker: SkillLinker, names: Sequence[str], index: LabelIndex) -> None:
    iri_of = dict(zip(index.skills.preferred, index.skills.iris, strict=True))
    found = [m for name in names for m in mentions(name, iri_of, column="span")]
    best = linker.link_many([m.text for m in found], min_score=0.0)
    labelled = sum(bool(m.gold) for m in found)
    print(f"min_score on {', '.join(names)} ({len(found)} mentions, {labelled} labelled):")
    print(f"{'min_score':>10}{'linked':>8}{'right':>7}{'precision':>11}{'recall':>8}")
    for threshold in THRESHOLDS:
        linked = [(m, c) for m, c in zip(found, best, strict=True) if c and c.score >= threshold]
        right = sum(c.iri in m.gold for m, c in linked)
        print(
            f"{threshold:>10.2f}{len(linked):>8}{right:>7}"
            f"{right / max(len(linked), 1):>11.2f}{right / max(labelled, 1):>8.2f}"
        )


def tune(linker: SkillLinker, index: LabelIndex) -> None:
    """On the validation files: compare first scorers (alone, weight 1.0, and blended with
    ``ratio``), then sweep the weight of the chosen one."""
    iri_of = dict(zip(index.skills.preferred, index.skills.iris, strict=True))
    exact = {label.casefold(): iri for label, iri in iri_of.items()}
    found = [m for name in VALIDATION for m in mentions(name, iri_of, column="span")]
    defaults = linker_module.SCORER, linker_module.SET_WEIGHT
    print(f"{'scorer, weight':<26}{'mentions':>9}{'baseline':>10}{'top-1':>8}{'top-5':>8}")
    scorers = (fuzz.token_set_ratio, fuzz.WRatio, fuzz.token_sort_ratio, fuzz.ratio)
    runs = [(s, w) for s in scorers for w in (1.0, 0.7)]
    runs += [(fuzz.token_set_ratio, w) for w in (0.5, 0.6, 0.8, 0.9)]
    for scorer, weight in runs:
        linker_module.SCORER, linker_module.SET_WEIGHT = scorer, weight
        print(evaluate(linker, found, exact).row(f"{scorer.__name__} {weight:.1f}", width=26))
    linker_module.SCORER, linker_module.SET_WEIGHT = defaults


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tune", action="store_true", help="sweep the fuzzy weight")
    parser.add_argument("--files", nargs="*", default=[*VALIDATION, *TEST])
    args = parser.parse_args(argv)
    linker = SkillLinker.from_esco(languages=("en",))
    index = linker.indexes["en"]
    if args.tune:
        tune(linker, index)
        return
    accuracy_table(linker, args.files, index)
    timings(args.files)
    print()
    threshold_table(linker, VALIDATION, index)


if __name__ == "__main__":
    main()
