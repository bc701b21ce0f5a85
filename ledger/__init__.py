"""beanclear: reconcile payment channels in Beancount books.

The library, one concern per folder (the command line, the plugins and the Fava page
are thin faces over it):

    config/      config.yaml: the model (model.py), the reader of its sections, load()
    books/       the books on disk: layout and identity (__init__), one fixed text layout
                 (render), atomic writes under a lock (atomic), import (importing),
                 reference rates (prices), the minimal-diff edits of decisions (edits)
    statements/  what the statements say beyond their rows: openings, coverage, and
                 how far the deadlines can be judged (gaps)
    checks/      one module per rule, the findings and their policy, acknowledgments,
                 reconcile (each plugin its check, what they share once per load) and the check report
    matching/    linking the bank lines nothing explains (core), and why a line got no
                 proposal (why)
    resolve/     acting on a finding: book a bank line (and save a rule), link and
                 unlink by hand, write off, follow up; each a plan the one writer applies
    live/        the channels' APIs: `beanclear fetch` (fetch/, one module per channel,
                 archived and retried) and `beanclear serve` (serve/: webhooks, schedule)
    periods/     closing and reopening a month (月结), and refusing imports into a closed one
    reports/     the reconciliation report of a month: text, JSON, XLSX, PDF
    exports/     the books and findings as tables for BI tools (SQLite, SQLAlchemy, Parquet)
    setup/       `beanclear init`: a config.yaml and the books from a folder of statements
    fava_page/   the Reconciliation page in Fava: its state from the load, the review
                 queue's actions, uploads, and Fava's own Import page (ingest)
    demo/        the example merchant; simulation/: random merchants with their truth
    cli.py       the `beanclear` command (clikit.py: what its commands share; entry.py:
                 the console script, and what Ctrl-C does)
"""
__version__ = "0.1.0"
