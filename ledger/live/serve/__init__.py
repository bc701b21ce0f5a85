"""`beanclear serve`: one long-running process for a merchant or a folder of merchants.

    merchant.py   one merchant's books: its config, live settings, and the lock that
                  keeps its fetches and webhook imports one at a time
    verify.py     each channel's webhook check (Stripe signature, WeChat Pay v3 signature
                  + AES-256-GCM, PayPal verify-webhook-signature)
    events.py     what a verified event does: refused if seen, archived, imported
    schedule.py   the fetch of each channel at its cron time (APScheduler)
    app.py        the ASGI app (starlette) and its uvicorn server
"""
