"""Reads: frames, read models, signals, caseload, matching, outcomes and case views; imports only
the core and the register."""
