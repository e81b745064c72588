"""Benchmarks and reliability runs: scripts that measure, never timed unit tests (see docs/)."""
