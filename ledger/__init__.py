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
    matching.py  linking the bank lines nothing explains
    periods/     closing and reopening a month (月结), and refusing imports into a closed one
    reports/     the reconciliation report of a month: text, JSON, XLSX, PDF
    exports/     the books and findings as tables for BI tools (SQLite, SQLAlchemy, Parquet)
    setup/       `beanclear init`: a config.yaml and the books from a folder of statements
    fava_page/   the Reconciliation page in Fava
    demo/        the example merchant; simulation/: random merchants with their truth
    cli.py       the `beanclear` command (clikit.py: what its commands share)
"""
__version__ = "0.1.0"
