"""Live channels (issue #16): statements fetched through each channel's API on a
schedule, webhooks received, what fails retried, the raw data archived.

    settings.py   the `live:` section and each channel's `credentials:` / `fetch:`
    secrets.py    credentials from environment variables or a secrets file outside the books
    archive.py    statements/<source>/<name>: written atomically, never overwritten with other bytes
    retry.py      backoff for what may succeed later (a bill not ready, a timeout, a 5xx)
    status.py     the last fetch per channel, as JSON beside the config
    fetch/        `beanclear fetch`: one module per channel type, plan.py the days to fetch
    serve/        `beanclear serve`: the ASGI app, webhook checks per channel, the schedule
    command.py    the `fetch` and `serve` commands
"""
