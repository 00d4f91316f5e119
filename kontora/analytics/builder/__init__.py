"""The report builder: sources, the grouped query and its exports."""
