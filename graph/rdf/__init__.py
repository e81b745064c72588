"""Write the records as RDF, mint their IRIs and validate the graph against the SHACL shapes."""
