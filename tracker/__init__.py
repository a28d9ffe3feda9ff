"""The advanced-packaging project tracker: YAML records in, a published MkDocs site out."""

__version__ = "0.1.0"
