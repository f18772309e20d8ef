"""The register: the database, its migrations, the audit chain, transactions with the workflow
rules, bulk writes and the user's access; imports only the core."""
