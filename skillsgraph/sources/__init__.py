"""Source-specific preparation: what a mapping cannot express, done once, reproducibly.

A mapping reads one record at a time; some sources need work across records first (a job
posting spread over many sentence lines, say). Each module here reads a source's original
files and writes derived files beside them, committed with the originals and regenerated
by ``python -m skillsgraph.sources.<source>``; a test keeps them up to date.

- :mod:`skillsgraph.sources.skillspan`: SkillSpan sentences → whole job postings, their
  skill and knowledge spans, and the Decorte et al. expert links of those spans to ESCO.
"""
