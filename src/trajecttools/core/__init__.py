"""The core: words, errors, the data model, methods and validation; imports nothing above it."""
