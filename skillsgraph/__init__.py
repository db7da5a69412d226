"""skillsgraph: an open knowledge graph for a European Skills Data Space."""

__version__ = "0.1.0"
