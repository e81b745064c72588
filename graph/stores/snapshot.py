"""The model as arrays: written by the build from the records, opened by memory mapping in milliseconds.

A snapshot is a directory of NumPy ``.npy`` files (a maintained format that maps straight into memory), a
``tables.bin`` with the small tables (drugs, sources, versions, references, jurisdictions, reach) and
``snapshot.json`` (the format and the counts). It holds everything the engine needs to answer, so opening a graph
never reads the model back from its store:

- **statements** in answer order (topic in the scheme's order, start of ``valid_from``, key), so a statement's
  position is its id and its rank in every answer; per statement its key, its in-force interval ``[start, end)``
  as proleptic ordinals, the first day of its ``valid_from``, and its record (:mod:`.codec`) decoded on demand;
- **per drug**, the ids of its statements (ascending, so in answer order too);
- **the override graph** both ways (what a statement overrides, what overrides it) and, per statement, the
  versions asserting it and its records in authority order (the defining record first, then by record date), as
  offset arrays (CSR).
"""

from __future__ import annotations

import dataclasses
import json
import marshal
import os
import typing
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from guidancekg.graph.corpus.records import Assertion, Corpus, Statement
from guidancekg.graph.dates import in_force_end, in_force_start, recorded_from
from guidancekg.graph.errors import StoreError
from guidancekg.graph.stores.codec import MARSHAL_VERSION, decoder, encode
from guidancekg.ontology.vocab import TOPIC_KEYS

FORMAT = 2
DIRECTORY = "snapshot"
OPEN_END = 3_652_060  # date.max.toordinal() + 1: an open valid_until, in force forever after its start
LAZY_FIELDS = ("statements", "assertions")  # the large tables of a Corpus, decoded one record at a time
_SEPARATOR = "\0"  # between the keys of the statements (a key is a data file's identifier: never a NUL)


def statement_order(s: Statement) -> tuple[int, int, str]:
    """Return a statement's place in every answer: topic (in the scheme's order), start of validity, key."""
    rank = TOPIC_KEYS.index(s.topic) if s.topic in TOPIC_KEYS else len(TOPIC_KEYS)
    return (rank, s.valid_from.lo.toordinal(), s.key)


class Snapshot:
    """The arrays and small tables of one model, in memory or mapped from a directory."""

    def __init__(self, arrays: Mapping[str, np.ndarray], tables: dict[str, Any]) -> None:
        # Plain ndarrays over the same memory: indexing a np.memmap goes through its Python __getitem__ and wraps
        # every result as a memmap, which a question's few hundred array operations paid for many times over.
        self.arrays = {name: np.asarray(array) for name, array in arrays.items()}
        self.tables = tables
        self.count = len(self.arrays["s.start"])
        joined = bytes(self.arrays["s.keys"]).decode("utf-8")
        self.keys: list[str] = joined.split(_SEPARATOR) if self.count else []
        self.drug_keys: list[str] = tables["drug_keys"]
        self.drug_rows = {drug: n for n, drug in enumerate(self.drug_keys)}  # a drug's row of the table "d"
        self.version_ids: list[str] = tables["version_ids"]
        self._decode_statement = decoder(Statement)
        self._decode_assertion = decoder(Assertion)
        self._views: dict[str, memoryview] = {}

    def view(self, name: str) -> memoryview:
        """Return the array ``name`` as a memoryview: an item is a plain ``int`` and a slice a view, each read
        in tens of nanoseconds (a mapped numpy array makes a numpy object of each, ten times slower)."""
        found = self._views.get(name)
        if found is None:
            found = self._views[name] = self.arrays[name].data
        return found

    def statement(self, i: int) -> Statement:
        """Return statement ``i``, decoded."""
        at = self.view("s.blob_at")
        return self._decode_statement(self.view("s.blob")[at[i]:at[i + 1]])

    def records(self, i: int) -> tuple[Assertion, ...]:
        """Return the records of statement ``i``, decoded, in authority order."""
        at, blob_at, blob = self.view("r.at"), self.view("a.blob_at"), self.view("a.blob")
        decode = self._decode_assertion
        return tuple([decode(blob[blob_at[n]:blob_at[n + 1]]) for n in range(at[i], at[i + 1])])

    def row(self, name: str, i: int) -> memoryview:
        """Return row ``i`` of the offset table ``name``: ``ov`` (overrides), ``ob`` (overridden by), ``av``
        (versions asserting), ``vs`` (statements a version asserts), ``d`` (statements of a drug); its items are
        ids, read as plain ints."""
        at = self.view(f"{name}.at")
        return self.view(f"{name}.id")[at[i]:at[i + 1]]

    def with_records(self) -> list[int]:
        """Return the ids of the statements that have at least one record."""
        return np.flatnonzero(np.diff(self.arrays["r.at"])).tolist()


def _offsets(rows: Iterable[Iterable[int]]) -> tuple[np.ndarray, np.ndarray]:
    at, flat = [0], list[int]()
    for row in rows:
        flat.extend(row)
        at.append(len(flat))
    return np.asarray(at, dtype=np.int64), np.asarray(flat, dtype=np.int32)


def _blob(items: Iterable[bytes]) -> tuple[np.ndarray, np.ndarray]:
    at, parts, size = [0], [], 0
    for item in items:
        parts.append(item)
        size += len(item)
        at.append(size)
    return np.frombuffer(b"".join(parts), dtype=np.uint8).copy(), np.asarray(at, dtype=np.int64)


def as_stored(corpus: Corpus) -> Corpus:
    """Return ``corpus`` in the order its RDF gives back (sets as sorted tuples): what a model holds, however read.

    RDF keeps no order among a node's values, so a statement's overrides, a drug's brand names, a source's
    identifiers, a jurisdiction's former codes and the reach records are sorted, as :mod:`.readback` sorts them
    (drugs and jurisdictions by key and code too).
    """
    return dataclasses.replace(
        corpus,
        drugs={k: dataclasses.replace(d, brand_names=tuple(sorted(d.brand_names)))
               for k, d in sorted(corpus.drugs.items())},
        sources={k: dataclasses.replace(s, identifiers=tuple(sorted(s.identifiers)))
                 for k, s in corpus.sources.items()},
        statements={k: dataclasses.replace(s, overrides=tuple(sorted(s.overrides, key=lambda o: (o.target, o.kind))))
                    for k, s in corpus.statements.items()},
        jurisdictions={k: dataclasses.replace(j, aliases=tuple(sorted(j.aliases)))
                       for k, j in sorted(corpus.jurisdictions.items())},
        reach=tuple(sorted(corpus.reach, key=lambda r: r.key)))


def build_snapshot(corpus: Corpus) -> Snapshot:
    """Return the snapshot of ``corpus`` (checked records), held in memory, in the order of :func:`as_stored`."""
    corpus = as_stored(corpus)
    statements = sorted(corpus.statements.values(), key=statement_order)
    sid = {s.key: n for n, s in enumerate(statements)}
    drug_keys = sorted(set(corpus.drugs) | {s.drug for s in statements})
    drug_no = {k: n for n, k in enumerate(drug_keys)}
    version_ids = sorted(corpus.versions)
    vid = {v: n for n, v in enumerate(version_ids)}
    by_statement: dict[str, list[Assertion]] = defaultdict(list)
    for a in corpus.assertions:
        by_statement[a.statement].append(a)

    def authority(a: Assertion) -> tuple[bool, Any, str]:  # the defining record first, then by record date
        return (not a.defines, recorded_from(corpus.versions[a.version_id].published), a.version_id)

    records = [sorted(by_statement.get(s.key, ()), key=authority) for s in statements]
    overriders: list[list[int]] = [[] for _ in statements]
    for s in statements:
        for o in s.overrides:
            if o.target in sid:
                overriders[sid[o.target]].append(sid[s.key])
    asserting = [sorted({vid[a.version_id] for a in rs}) for rs in records]
    asserts: list[list[int]] = [[] for _ in version_ids]
    for n, vs in enumerate(asserting):
        for v in vs:
            asserts[v].append(n)
    of_drug: list[list[int]] = [[] for _ in drug_keys]
    for n, s in enumerate(statements):
        of_drug[drug_no[s.drug]].append(n)
    arrays: dict[str, np.ndarray] = {
        "s.start": np.asarray([in_force_start(s.valid_from).toordinal() for s in statements], dtype=np.int32),
        "s.end": np.asarray([in_force_end(s.valid_until).toordinal() if s.valid_until is not None else OPEN_END
                             for s in statements], dtype=np.int32),
        "s.from": np.asarray([s.valid_from.lo.toordinal() for s in statements], dtype=np.int32),
        "s.keys": np.frombuffer(_SEPARATOR.join(s.key for s in statements).encode("utf-8"), dtype=np.uint8).copy(),
        "r.at": np.cumsum([0] + [len(rs) for rs in records], dtype=np.int64),
    }
    arrays["s.blob"], arrays["s.blob_at"] = _blob(encode(s) for s in statements)
    arrays["a.blob"], arrays["a.blob_at"] = _blob(encode(a) for rs in records for a in rs)
    arrays["ov.at"], arrays["ov.id"] = _offsets([sid[o.target] for o in s.overrides if o.target in sid]
                                                for s in statements)
    arrays["ob.at"], arrays["ob.id"] = _offsets(overriders)
    arrays["av.at"], arrays["av.id"] = _offsets(asserting)
    arrays["vs.at"], arrays["vs.id"] = _offsets(asserts)
    arrays["d.at"], arrays["d.id"] = _offsets(of_drug)
    tables = {"drug_keys": drug_keys, "version_ids": version_ids, "corpus": _small_tables(corpus)}
    return Snapshot(arrays, tables)


def _small_tables(corpus: Corpus) -> dict[str, list[Any]]:
    """Return every table of the corpus but the large ones, as (key, record) pairs or records, encoded."""
    out: dict[str, list[Any]] = {}
    for f in dataclasses.fields(Corpus):
        if f.name in LAZY_FIELDS:
            continue
        value = getattr(corpus, f.name)
        out[f.name] = ([(k, encode(r)) for k, r in value.items()] if isinstance(value, dict)
                       else [encode(r) for r in value])
    return out


def small_tables(snapshot: Snapshot) -> dict[str, Any]:
    """Return the small tables of the snapshot's corpus, decoded: dictionaries by key, or tuples."""
    hints = typing.get_type_hints(Corpus)
    out: dict[str, Any] = {}
    for name, rows in snapshot.tables["corpus"].items():
        hint = hints[name]
        if typing.get_origin(hint) is dict:
            decode = decoder(typing.get_args(hint)[1])
            out[name] = {k: decode(data) for k, data in rows}
        else:
            decode = decoder(typing.get_args(hint)[0])
            out[name] = tuple(decode(data) for data in rows)
    return out


# -- on disk ---------------------------------------------------------------------------------------------------


def write_snapshot(snapshot: Snapshot, directory: Path) -> Path:
    """Write ``snapshot`` into ``directory`` (created; a build writes it into its own new directory)."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=False)
    for name, array in snapshot.arrays.items():
        np.save(out / f"{name}.npy", array, allow_pickle=False)
    (out / "tables.bin").write_bytes(marshal.dumps(snapshot.tables, MARSHAL_VERSION))
    meta = {"format": FORMAT, "marshal": MARSHAL_VERSION, "statements": snapshot.count,
            "arrays": sorted(snapshot.arrays)}
    (out / "snapshot.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
    return out


def open_snapshot(directory: Path) -> Snapshot:
    """Open the snapshot in ``directory``: its arrays memory-mapped, its small tables read."""
    where = Path(directory)
    try:
        meta = json.loads((where / "snapshot.json").read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT or meta.get("marshal") != MARSHAL_VERSION:
            raise StoreError(f"the snapshot in {where.name} has format {meta.get('format')}; this version reads "
                             f"format {FORMAT}: rebuild with `guidancekg build`")
        arrays = {name: np.load(where / f"{name}.npy", mmap_mode="r", allow_pickle=False)
                  for name in meta["arrays"]}
        tables = marshal.loads((where / "tables.bin").read_bytes())
        return Snapshot(arrays, tables)
    except (OSError, ValueError, KeyError, EOFError, TypeError, UnicodeDecodeError) as exc:
        raise StoreError(f"cannot read the snapshot in {where.name}: {exc}") from None


def snapshot_bytes(directory: Path) -> int:
    """Return the size of the snapshot in ``directory`` on disk."""
    return sum(os.path.getsize(p) for p in Path(directory).iterdir() if p.is_file())
