"""Add new versions of sources: ingest (all or nothing) and the drafting assistant."""
