"""Bringing leads in from spreadsheets: reading files, mapping columns, importing, reporting."""
