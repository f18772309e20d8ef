"""One case, for three audiences: the coach's full dossier, the meeting-safe card, the logged
opening of a case."""
