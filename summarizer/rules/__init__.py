"""Deterministic candidates from language structure (spaCy's small English pipeline): no model call.

Each finder returns grounded candidates; the strategies decide what to keep, what to ask a model
about, and how to merge.
"""
