"""One exception tree for every failure the project reports to a person or a client.

The API maps these to RFC 9457 problem details in one place (``guidancekg.api.problems``); the CLI prints
their message and exits non-zero. Each class says what went wrong, never how to render it.
"""

from __future__ import annotations

from collections.abc import Sequence


class GuidanceError(Exception):
    """Base of every error guidancekg raises on purpose."""


class InputError(GuidanceError):
    """A value given by the user (a parameter, an option, a header) is malformed."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter
        self.message = message


class NotFound(GuidanceError):
    """A drug, statement, source or version that the graph does not hold.

    ``known`` lists the valid keys of a closed set (the drugs, the sources), so the message can name them.
    """

    MAX_LISTED = 20

    def __init__(self, kind: str, key: str, known: Sequence[str] = ()) -> None:
        listed = ", ".join(known[: self.MAX_LISTED])
        if len(known) > self.MAX_LISTED:
            listed += f" and {len(known) - self.MAX_LISTED} more"
        super().__init__(f"unknown {kind}: {key!r}" + (f"; known: {listed}" if known else ""))
        self.kind = kind
        self.key = key
        self.known = tuple(known)


class DataError(GuidanceError):
    """A data file is malformed or inconsistent; names the file, the line and the statement where known."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 statement: str | None = None) -> None:
        where = ""
        if file:
            where = file + (f":{line}" if line else "")
        if statement:
            where = f"{where} (statement {statement})" if where else f"statement {statement}"
        super().__init__(f"{where}: {message}" if where else message)
        self.message = message
        self.file = file
        self.line = line
        self.statement = statement


class ValidationFailed(GuidanceError):
    """The graph built from the data breaks one or more checks; nothing was written."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} found; nothing was written"
        super().__init__(head + "\n" + "\n".join(f"  - {p}" for p in self.problems))


class StoreError(GuidanceError):
    """The store cannot be opened, read or written."""


class QueryError(GuidanceError):
    """A SPARQL request cannot be answered."""


class QuerySyntaxError(QueryError):
    """The SPARQL text does not parse."""


class QueryRefused(QueryError):
    """The query asks for something this read-only endpoint never does (an update, SERVICE, LOAD)."""


class QueryTimeout(QueryError):
    """The query ran past its time limit and was stopped."""


class QueryTooLarge(QueryError):
    """The request or its results exceed a configured limit."""


class QueryNotAcceptable(QueryError):
    """No media type the client accepts can carry this query's results."""

    def __init__(self, form: str, offers: Sequence[str]) -> None:
        super().__init__(f"a {form} query cannot be answered in any media type the Accept header allows; "
                         f"this endpoint offers {', '.join(offers)}")
        self.form = form
        self.offers = tuple(offers)


class EndpointBusy(QueryError):
    """Every SPARQL worker is busy and the queue is full: try again after ``retry_after`` seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = max(1, int(retry_after))


class SandboxUnavailable(QueryError):
    """The operating-system sandbox of the SPARQL workers cannot be installed, so no query runs."""


class VersionConflict(DataError):
    """The version would overwrite or contradict a recorded one; a recorded version is never edited."""


class UploadTooLarge(GuidanceError):
    """An uploaded file is larger than the configured limit."""

    def __init__(self, what: str, size: int, limit: int) -> None:
        super().__init__(f"{what} has {size} bytes; the limit is {limit} bytes")
        self.limit = limit


class ReportPending(GuidanceError):
    """A derived report is being computed (once); try again after ``retry_after`` seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = max(1, int(retry_after))


class IngestBusy(StoreError):
    """Another ingest holds the data folder's lock; try again after ``retry_after`` seconds."""

    retry_after = 60  # it waited two minutes for the lock already: a minute more is a fair first try
