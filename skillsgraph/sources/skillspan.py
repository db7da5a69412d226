"""SkillSpan: rebuild whole job postings from the sentence files, with their skill spans.

SkillSpan (Zhang et al., NAACL 2022) releases real English job postings one sentence per
JSON line: ``{"idx", "tokens", "tags_skill", "tags_knowledge", "source"}``, where a posting
is every line with the same (source, idx), in order, and the tags are BIO tags of skill and
knowledge spans. A mapping reads one record at a time, so this step does the aggregation
and writes three JSON Lines files beside the originals:

- ``postings.jsonl``, one posting per line: ``id`` (``{source}-{split}-{idx}``, e.g.
  ``tech-train-12``), ``source``, ``split``, ``idx``, ``title``, ``date_posted``,
  ``job_type`` (as written), ``employment_type`` (schema.org / Google value such as
  ``FULL_TIME``), ``text`` (the sentences joined by newlines) and the ``skills`` and
  ``knowledge`` spans, each ``{"n", "text", "sentence"}`` (``sentence``: 0-based line of
  the posting);
- ``mentions.jsonl``, one span per line: ``posting``, ``n`` (1-based, in reading order),
  ``kind`` (``skill`` or ``knowledge``), ``text``, ``sentence``, ``start``, ``end`` (token
  offsets, end exclusive);
- ``gold_links.jsonl``, one expert link per line, from the Decorte et al. skill-extraction
  benchmark (SkillSpan test sentences whose spans experts linked to ESCO skills by
  preferred label): ``posting``, ``span`` (the ``n`` of the mention), ``link`` (1-based per
  span), ``kind``, ``text`` (the span, or the benchmark's rewritten ``sub_span``), ``label`` and
  ``skill`` (the ESCO IRI of that preferred label), ``benchmark`` (the benchmark file).

What is decided here, and why (the source's defects; SOURCE.md beside the data lists them):

- the title is the first line of a ``tech`` posting, and of a posting with a ``Date
  posted:`` line (the StackOverflow layout, also found once among ``house``); other
  ``house`` postings have no title line (they start with a sentence of the description);
- ``Date posted: …`` and ``Job type: …`` (same line, or ``Job type:`` and the value on the
  next line) are read from the first line that has them; the date is kept as written (the
  mapping parses it strictly);
- C1 control characters (Windows-1252 punctuation read as Latin-1, e.g. U+0092 for U+2019) are
  decoded as Windows-1252, and U+001A (SUBSTITUTE: a character lost before release) becomes
  U+FFFD; the de-identification placeholders (``<ORGANIZATION>``, ...) stay as they are;
- an ``I`` tag after ``O`` starts a span, as if it were ``B``.

>>> spans(["Experience", "with", "Python", "and", "SQL"], ["O", "O", "B", "O", "B"])
[(2, 3), (4, 5)]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from skillsgraph.errors import BadInputError, NotFoundError

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
SKILLSPAN_DIR = DATA_DIR / "job_postings" / "skillspan"
BENCHMARK_DIR = DATA_DIR / "job_postings" / "skill_extraction_benchmark"
ESCO_SKILLS = DATA_DIR / "esco" / "v1.1.1" / "en" / "skills_en.csv"

SPLITS = ("train", "dev", "test")
KINDS = ("skill", "knowledge")
OUTPUTS = ("postings.jsonl", "mentions.jsonl", "gold_links.jsonl")
BENCHMARK_FILES = ("tech_validation", "tech_test", "house_validation", "house_test")
"""The benchmark files made of SkillSpan sentences (all from its test split);
``techwolf_test`` is not SkillSpan and is left out."""
NO_LABEL = ("LABEL NOT PRESENT", "UNDERSPECIFIED")

EMPLOYMENT_TYPES = {
    "full-time": "FULL_TIME",
    "full_time": "FULL_TIME",
    "part-time": "PART_TIME",
    "part_time": "PART_TIME",
    "internship": "INTERN",
    "intern": "INTERN",
    "contract": "CONTRACTOR",
    "contractor": "CONTRACTOR",
    "temporary": "TEMPORARY",
}
"""Job types as written → schema.org employmentType values (Google's list)."""

SENTENCE_SCHEMA: dict[str, pl.DataType] = {
    "idx": pl.Int64(),
    "tokens": pl.List(pl.String()),
    "tags_skill": pl.List(pl.String()),
    "tags_knowledge": pl.List(pl.String()),
    "source": pl.String(),
}
MENTION_SCHEMA: dict[str, pl.DataType] = {
    "posting": pl.String(),
    "kind": pl.String(),
    "text": pl.String(),
    "sentence": pl.Int64(),
    "start": pl.Int64(),
    "end": pl.Int64(),
}
POSTING = ["split", "source", "idx"]

_C1 = [chr(c) for c in range(0x80, 0xA0)]
_CP1252 = [bytes([c]).decode("cp1252", errors="replace") for c in range(0x80, 0xA0)]


@dataclass(frozen=True)
class Prepared:
    """What :func:`prepare` wrote, with its counts."""

    postings: int
    mentions: dict[str, int]
    gold_links: int
    gold_unmatched: int
    files: tuple[Path, ...]

    def summary(self) -> str:
        kinds = ", ".join(f"{n:,} {kind}" for kind, n in self.mentions.items())
        return (
            f"{self.postings:,} postings, {sum(self.mentions.values()):,} spans ({kinds}), "
            f"{self.gold_links:,} expert links to ESCO ({self.gold_unmatched:,} benchmark "
            f"rows matched no span or no ESCO label); wrote "
            + ", ".join(str(p) for p in self.files)
        )


def spans(tokens: Sequence[str], tags: Sequence[str]) -> list[tuple[int, int]]:
    """The (start, end) token offsets of the BIO-tagged spans (end exclusive)."""
    out: list[tuple[int, int]] = []
    start: int | None = None
    for i, tag in enumerate(tags):
        if tag == "B" or (tag == "I" and start is None):
            if start is not None:
                out.append((start, i))
            start = i
        elif tag != "I" and start is not None:
            out.append((start, i))
            start = None
    if start is not None:
        out.append((start, len(tokens)))
    return out


def read_sentences(folder: Path) -> pl.DataFrame:
    """Every sentence of the three splits, in file order, repaired (see the module doc),
    with its posting key (split, source, idx), ``sentence`` (0-based line of the posting)
    and ``text`` (the tokens joined by spaces)."""
    frames = []
    for split in SPLITS:
        path = folder / f"{split}.json"
        if not path.is_file():
            raise NotFoundError(f"{path}: no such SkillSpan file; expected {', '.join(SPLITS)}")
        try:
            frame = pl.read_ndjson(path, schema=SENTENCE_SCHEMA)
        except pl.exceptions.PolarsError as exc:
            raise BadInputError(
                f"{path}: not SkillSpan JSON Lines ({exc}); expected one object per line with "
                "idx, tokens, tags_skill, tags_knowledge, source"
            ) from exc
        _check_lines(frame, path)
        frames.append(frame.with_columns(pl.lit(split).alias("split")))
    sentences = pl.concat(frames).with_columns(
        pl.col("tokens").list.eval(
            pl.element().str.replace_many(_C1, _CP1252).str.replace_all("\x1a", "\ufffd")
        ),
        pl.int_range(pl.len()).over(POSTING).alias("sentence"),
        _posting_id().alias("posting"),
    )
    return sentences.with_columns(pl.col("tokens").list.join(" ").alias("text"))


def _check_lines(frame: pl.DataFrame, path: Path) -> None:
    lengths = pl.col("tokens").list.len()
    bad = frame.with_row_index("line", offset=1).filter(
        pl.any_horizontal(pl.col(c).is_null() for c in SENTENCE_SCHEMA)
        | (pl.col("tags_skill").list.len() != lengths)
        | (pl.col("tags_knowledge").list.len() != lengths)
    )
    if bad.height:
        line = bad["line"][0]
        raise BadInputError(
            f"{path}:{line}: a field is missing or the tags do not match the tokens; expected "
            "idx, source, and one skill and one knowledge tag per token"
        )


def _posting_id() -> pl.Expr:
    return pl.format("{}-{}-{}", "source", "split", "idx")


def build_mentions(sentences: pl.DataFrame) -> pl.DataFrame:
    """One row per skill or knowledge span: posting, n, kind, text, sentence, start, end."""
    rows: list[tuple[str, str, str, int, int, int]] = []
    columns = ["posting", "sentence", "tokens", "tags_skill", "tags_knowledge"]
    for posting, sentence, tokens, *tag_lists in sentences.select(columns).iter_rows():
        for kind, tags in zip(KINDS, tag_lists, strict=True):
            rows.extend(
                (posting, kind, " ".join(tokens[start:end]), sentence, start, end)
                for start, end in spans(tokens, tags)
            )
    mentions = pl.DataFrame(rows, schema=MENTION_SCHEMA, orient="row")
    order = sentences.select("posting").unique(maintain_order=True).with_row_index("order")
    mentions = mentions.join(order, on="posting").sort(
        "order", "sentence", "start", pl.col("kind").replace_strict({"skill": 0, "knowledge": 1})
    )
    n = (pl.int_range(pl.len()).over("posting") + 1).alias("n")
    return mentions.select("posting", n, "kind", "text", "sentence", "start", "end")


def build_postings(sentences: pl.DataFrame, mentions: pl.DataFrame) -> pl.DataFrame:
    """One row per posting (see the module doc for the columns)."""
    text = pl.col("text")
    job_type_inline = text.str.extract(r"^Job type:\s*(\S.*)$")
    job_type_next = pl.when(text == "Job type:").then(text.shift(-1).over(POSTING))
    lines = sentences.with_columns(
        text.str.extract(r"^Date posted:\s*(\S.*)$").alias("date_posted"),
        pl.coalesce(job_type_inline, job_type_next).alias("job_type"),
    )
    postings = lines.group_by(POSTING, maintain_order=True).agg(
        pl.col("posting").first().alias("id"),
        pl.when((pl.col("source").first() == "tech") | pl.col("date_posted").is_not_null().any())
        .then(text.first())
        .alias("title"),
        pl.col("date_posted").drop_nulls().first(),
        pl.col("job_type").drop_nulls().first(),
        text.str.join("\n"),
    )
    postings = postings.with_columns(
        pl.col("job_type")
        .str.to_lowercase()
        .replace_strict(EMPLOYMENT_TYPES, default=None)
        .alias("employment_type")
    )
    for kind in KINDS:
        spans_of_kind = (
            mentions.filter(pl.col("kind") == kind)
            .group_by("posting", maintain_order=True)
            .agg(pl.struct("n", "text", "sentence").alias(kind))
        )
        postings = postings.join(spans_of_kind, left_on="id", right_on="posting", how="left")
    return postings.select(
        "id",
        "source",
        "split",
        "idx",
        "title",
        "date_posted",
        "job_type",
        "employment_type",
        "text",
        pl.col("skill").fill_null([]).alias("skills"),
        pl.col("knowledge").fill_null([]),
    )


def read_benchmark(folder: Path) -> pl.DataFrame:
    """The benchmark rows of the SkillSpan files: benchmark, row, sentence, span, sub_span,
    label (repaired like the sentences, so that they match)."""
    frames = []
    for name in BENCHMARK_FILES:
        path = folder / f"{name}_annotations.csv"
        if not path.is_file():
            raise NotFoundError(f"{path}: no such benchmark file; expected {name}_annotations.csv")
        frame = pl.read_csv(path, infer_schema=False)
        missing = {"sentence", "span", "sub_span", "label"} - set(frame.columns)
        if missing:
            raise BadInputError(
                f"{path}: no column {', '.join(sorted(missing))}; expected "
                "sentence,span,sub_span,label"
            )
        frames.append(
            frame.with_row_index("row", offset=2).with_columns(pl.lit(name).alias("benchmark"))
        )
    repaired = [
        pl.col(c).fill_null("").str.replace_many(_C1, _CP1252).str.replace_all("\x1a", "\ufffd")
        for c in ("sentence", "span", "sub_span")
    ]
    return pl.concat(frames).with_columns(repaired)


@dataclass(frozen=True)
class GoldLinks:
    """The expert links matched to spans, and how many labelled benchmark rows matched no
    span or no ESCO skill."""

    links: pl.DataFrame
    unmatched: int


def build_gold_links(
    sentences: pl.DataFrame, mentions: pl.DataFrame, benchmark: pl.DataFrame, esco: pl.DataFrame
) -> GoldLinks:
    """The expert links of the benchmark, matched to the test-split spans they annotate.

    A row names its sentence and span by text: it is matched to every test-split span with
    the same text in a sentence with the same text (a sentence repeated in several postings
    was annotated the same way each time). The benchmark's spans keep a final `` .`` that
    SkillSpan's do not; it is dropped before matching. Its label is matched to the ESCO
    skill with that English preferred label.
    """
    labelled = benchmark.filter(~pl.col("label").is_in(NO_LABEL)).with_columns(
        pl.col("span").str.replace(r"\s+\.$", "").alias("span_text")
    )
    test_spans = mentions.join(
        sentences.filter(pl.col("split") == "test").select("posting", "sentence", "text"),
        on=["posting", "sentence"],
        suffix="_sentence",
    )
    matched = labelled.join(
        test_spans,
        left_on=["sentence", "span_text"],
        right_on=["text_sentence", "text"],
        how="inner",
    ).join(esco, left_on="label", right_on="preferredLabel", how="inner")
    used = matched.select("benchmark", "row").unique()
    unmatched = labelled.join(used, on=["benchmark", "row"], how="anti").height
    return GoldLinks(_numbered_links(matched, mentions), unmatched)


def _numbered_links(matched: pl.DataFrame, mentions: pl.DataFrame) -> pl.DataFrame:
    """One row per (span, text, skill), in posting order, numbered per span (``link``)."""
    order = mentions.select("posting").unique(maintain_order=True).with_row_index("order")
    gold = (
        matched.with_columns(
            pl.when(pl.col("sub_span") != "")
            .then(pl.col("sub_span"))
            .otherwise(pl.col("span_text"))
            .alias("gold_text"),
            pl.col("benchmark").replace_strict({n: i for i, n in enumerate(BENCHMARK_FILES)}),
        )
        .join(order, on="posting")
        .sort("order", "n", "benchmark", "row")
        .unique(["posting", "n", "gold_text", "conceptUri"], keep="first", maintain_order=True)
    )
    return gold.select(
        "posting",
        pl.col("n").alias("span"),
        (pl.int_range(pl.len()).over("posting", "n") + 1).alias("link"),
        "kind",
        pl.col("gold_text").alias("text"),
        "label",
        pl.col("conceptUri").alias("skill"),
        pl.col("benchmark").replace_strict(dict(enumerate(BENCHMARK_FILES))),
    )


def read_esco_labels(path: Path) -> pl.DataFrame:
    """ESCO skills by English preferred label: conceptUri, preferredLabel."""
    if not path.is_file():
        raise NotFoundError(f"{path}: no ESCO skills file; expected ESCO v1.1.1 skills_en.csv")
    return pl.read_csv(path, columns=["conceptUri", "preferredLabel"], infer_schema=False)


def prepare(
    folder: Path = SKILLSPAN_DIR,
    *,
    out: Path | None = None,
    benchmark: Path = BENCHMARK_DIR,
    esco_skills: Path = ESCO_SKILLS,
) -> Prepared:
    """Read the SkillSpan files in ``folder`` and write the derived files to ``out``
    (default: ``folder``)."""
    target = out if out is not None else folder
    target.mkdir(parents=True, exist_ok=True)
    sentences = read_sentences(folder)
    mentions = build_mentions(sentences)
    postings = build_postings(sentences, mentions)
    gold = build_gold_links(
        sentences, mentions, read_benchmark(benchmark), read_esco_labels(esco_skills)
    )
    files = tuple(target / name for name in OUTPUTS)
    for frame, path in zip((postings, mentions, gold.links), files, strict=True):
        frame.write_ndjson(path)
    counts = mentions.group_by("kind").len()
    by_kind = {k: int(counts.filter(pl.col("kind") == k)["len"].sum()) for k in KINDS}
    return Prepared(postings.height, by_kind, gold.links.height, gold.unmatched, files)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m skillsgraph.sources.skillspan [--out DIR]``: regenerate the files."""
    parser = argparse.ArgumentParser(
        prog="python -m skillsgraph.sources.skillspan", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument("--data", type=Path, default=SKILLSPAN_DIR, help="SkillSpan folder")
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: --data)")
    args = parser.parse_args(argv)
    print(prepare(args.data, out=args.out).summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
