"""The bundled data: curated statements and held source texts (see README.md in this folder)."""
