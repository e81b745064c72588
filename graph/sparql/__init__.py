"""Run researchers' SPARQL safely, and the query library written from the semantics."""
