"""Solver layer: the only package that talks to HiGHS — the matrix hand-off (`compile`), solves
and sessions with in-place re-solves (`highs`, `session`), lexicographic levels, IIS and elastic
repairs (`iis`). `status` holds the outcome enum and imports nothing heavy; import the modules
directly so that naming a status never loads HiGHS."""
