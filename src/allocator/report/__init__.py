"""Report layer: the text tables, workbooks, HTML page and the English/Korean labels they share."""
