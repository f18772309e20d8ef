"""Outputs: reports, exports, imports and the demo register; imports the layers below, never
the widgets, apps or the command line."""
