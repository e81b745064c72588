"""Hold the RDF: the store kinds (in memory, on-disk Oxigraph, a remote SPARQL server) and the builds."""
