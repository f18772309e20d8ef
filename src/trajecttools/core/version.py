"""The version of trajecttools (a new version rebuilds its read models)."""

__version__ = "0.1.0"
