"""The guidancekg vocabulary (Turtle), its SHACL shapes (the graph's and the dataset description's) and its JSON-LD
context, as package files."""

from pathlib import Path

ONTOLOGY_DIR = Path(__file__).resolve().parent
VOCABULARY_FILE = ONTOLOGY_DIR / "vocabulary.ttl"
SHAPES_FILE = ONTOLOGY_DIR / "shapes.ttl"
DATASET_SHAPES_FILE = ONTOLOGY_DIR / "dataset-shapes.ttl"  # the DCAT/VoID description's shapes
CONTEXT_FILE = ONTOLOGY_DIR / "context.jsonld"
