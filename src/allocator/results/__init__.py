"""Results layer: the verified `Result` of a solve (`result`), its tables, and the writers of
tables and folders (`output`). Import the modules directly; this package loads nothing."""
