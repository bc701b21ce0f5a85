"""The fetch of each channel at its cron time (`fetch.schedule`, in `fetch.timezone`),
one APScheduler job per merchant and channel. A job runs under the merchant's lock,
one at a time per job (max_instances=1), and a run missed while the process was down
runs once when it comes back within an hour (coalesce, misfire_grace_time)."""

from __future__ import annotations

import logging

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

log = logging.getLogger("beanclear.serve")


def fetch_job(merchant, source: str) -> None:
    from beanclear.live import fetch
    with merchant.lock:
        try:
            report = fetch.run(merchant.config, [source], environ=merchant.secrets.environ,
                               today=merchant.today() if merchant.today else None)
        except Exception as exc:   # a job must not take the scheduler down: say it, at /status too, and go on
            log.exception("%s%s: fetch failed", merchant.prefix, source)
            from beanclear.live import status
            status.update(merchant.live.status_file, source, state="failed",
                          error=f"unexpected {type(exc).__name__}: {str(exc)[:200]} (serve's log has the detail)")
            return
        finally:
            merchant.inbox.retry_all()   # the events whose import failed, tried again once the fetch is in
    for line in report.lines:
        log.info("%s", line)
    for failure in report.failures:
        log.error("fetch: %s", failure)


def scheduler(merchants) -> BackgroundScheduler:
    sched = BackgroundScheduler()
    for merchant in merchants:
        for name, channel in merchant.live.channels.items():
            sched.add_job(fetch_job, CronTrigger.from_crontab(channel.schedule, timezone=channel.timezone),
                          args=(merchant, name), id=f"{merchant.name or 'merchant'}:{name}", max_instances=1,
                          coalesce=True, misfire_grace_time=3600)
    return sched
