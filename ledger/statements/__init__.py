"""What the statements themselves say about the books: the balance each account held
before its first statement (openings.py) and the days each source's statements cover
(coverage.py). Both are written on import and read back by the checks."""
