"""Write the whole graph in one format: the RDF serialisations, FHIR R5 and nanopublications.

The one implementation behind ``guidancekg export`` and the download routes (``/export/{name}``) that the
dataset description (:mod:`.void`) lists as its distributions.
"""

from __future__ import annotations

import json

from rdflib import Dataset

from guidancekg.graph.engine.answers import Engine
from guidancekg.graph.rdf.iris import Minter
from guidancekg.graph.rdf.writer import bind_prefixes, union_graph
from guidancekg.graph.stores.base import Store
from guidancekg.graph.views.void import EXPORT_FORMATS, describe, description_graph_iri

__all__ = ["EXPORT_FORMATS", "export"]


def export(fmt: str, store: Store, engine: Engine, minter: Minter) -> str:
    """Return the whole graph in ``fmt`` (a key of :data:`EXPORT_FORMATS`)."""
    if fmt == "fhir":
        from guidancekg.graph.views.fhir import timeline_bundle

        return json.dumps(timeline_bundle(engine, store, minter), indent=2, ensure_ascii=False)
    if fmt == "nanopub":
        from guidancekg.graph.views.nanopub import all_nanopubs_trig

        return all_nanopubs_trig(store, engine.model, minter)
    # A dataset of its own, parsed from the store's quads: to_dataset() of an in-memory store is the store itself,
    # which adding the description below would change.
    ds = Dataset()
    ds.parse(data=store.dump_nquads().decode("utf-8"), format="nquads")
    bind_prefixes(ds)
    # The dataset's own description travels with it, in a graph named by its address (/.well-known/void).
    description = ds.graph(description_graph_iri(minter))
    for triple in describe(engine.model, minter):
        description.add(triple)
    if fmt == "turtle":
        return union_graph(ds).serialize(format="turtle")
    if fmt == "jsonld":
        return ds.serialize(format="json-ld", indent=2)
    if fmt in ("trig", "nquads"):
        return ds.serialize(format=fmt)
    raise KeyError(fmt)
