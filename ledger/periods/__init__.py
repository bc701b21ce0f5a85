"""Closed periods (月结, DESIGN.md §2): a month certified and frozen.

    closed.py    which months are closed, read from books/periods.beancount's text (no
                 Beancount parse: the import asks it before every write)
    closing.py   close(): balance assertions at the month's end and a close directive;
                 reopen(): a reopen directive with the reason
    month_end.py whether every source's statements reach the month's end, which close
                 waits for besides the errors
    forward.py   carry(): the books from a month on, what came before carried forward (a
                 ledger that loads in the time of its months, for Fava and bean-check)
    past.py      what those books hold only as sums, read back from the month files for
                 the few readers that need the entries (report --since, match --since)
    command.py   `beanclear close YYYY-MM`, `reopen YYYY-MM --reason`, `carry YYYY-MM`
"""
