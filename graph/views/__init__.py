"""Turn engine answers into what people and programs read: JSON, the audit and the report."""
