"""Attendee lists in and out: spreadsheets (CSV, .xlsx, .ods) read, previewed and imported
through the edit spine, and people written back with the same columns.

* ``table``: what a read file is (``Source``, ``Table``, ``SheetError``);
* ``reading``: files to tables (encoding and delimiter detection for CSV);
* ``writing``: tables to CSV (UTF-8 with BOM, formulas neutralised) and .xlsx;
* ``columns``: the fields a column can fill, their headers in three languages;
* ``values``: cells to typed values (dates and times as people type them);
* ``mapping``: guessing and saving which column fills which field;
* ``preview``: what an import would do, row by row, before anything is written;
* ``people_import``: the import as one undoable operation;
* ``people_export``: people and attendee lists as rows with the same columns.
"""
