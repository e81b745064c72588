"""Read and check the data files: the records of the data, the YAML reader, the checks of meaning."""
