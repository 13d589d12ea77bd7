"""Workbooks in and out: the sheet layout derived from the pydantic models (`layout`), reading
with errors located to sheet and cell (`read`), and writing instances, models and templates
(`write`). openpyxl loads only when a workbook is used."""
