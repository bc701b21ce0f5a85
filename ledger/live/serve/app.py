"""The ASGI app and its server. Routes, for a lone merchant (prefix "") or for each
merchant of a folder (prefix "/<merchant>"):

    GET  /health                       {"status": "ok"}: the process answers
    GET  <prefix>/status               the last fetch and event per channel, the events not in the
                                       books yet, the next scheduled runs
    POST <prefix>/webhooks/<source>    a channel's webhook: verified, refused if replayed, archived and
                                       answered; what it books imported after (inbox.py)

uvicorn runs it; on SIGTERM / Ctrl-C it stops taking requests, lets those in flight
finish, then stops the schedule waiting for a running fetch, and each merchant's inbox
after the import it is making (the events still due are imported at the next start). A
write the process could not finish is rolled back by the books' journal on the next
write (books/atomic.py)."""

from __future__ import annotations

import contextlib
import logging

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from beanclear.live import status
from beanclear.live.serve import events, verify
from beanclear.live.serve.schedule import scheduler as make_scheduler

log = logging.getLogger("beanclear.serve")
MAX_BODY = 1 << 20   # a webhook is a few KB; refuse what could only be abuse


def build(merchants, schedule: bool = True) -> Starlette:
    sched = make_scheduler(merchants) if schedule else None

    async def health(request: Request):
        return JSONResponse({"status": "ok", "merchants": len(merchants)})

    def status_of(merchant):
        async def show(request: Request):
            state = status.read(merchant.live.status_file).get("sources", {})
            jobs = {job.id.split(":", 1)[1]: job.next_run_time.isoformat() for job in (sched.get_jobs() if sched
                    and sched.running else []) if job.id.startswith(f"{merchant.name or 'merchant'}:")
                    and job.next_run_time}
            pending = {name: merchant.inbox.pending(name) for name in merchant.live.channels}
            return JSONResponse({"sources": {name: {**state.get(name, {}), "type": ch.type, "schedule": ch.schedule,
                                                    "next_run": jobs.get(name),
                                                    "pending_events": [label for label, _ in pending[name]],
                                                    "pending_errors": {label: why for label, why in pending[name]
                                                                       if why}}
                                             for name, ch in merchant.live.channels.items()}})
        return show

    def webhook_of(merchant):
        async def receive(request: Request):
            source = request.path_params["source"]
            channel = merchant.live.channels.get(source)
            if channel is None:
                return JSONResponse({"status": "refused", "reason": f"no channel {source} takes webhooks here"}, 404)
            body = await request.body()
            if len(body) > MAX_BODY:
                return JSONResponse({"status": "refused", "reason": "body too large"}, 413)
            headers = dict(request.headers)
            try:
                event_id, kind, doc = await run_in_threadpool(verify.verify, merchant, channel, headers, body)
            except verify.Refused as exc:
                log.warning("%s/webhooks/%s refused: %s", merchant.prefix, source, exc)
                return JSONResponse({"status": "refused", "reason": str(exc)}, exc.status)
            code, answer = await run_in_threadpool(events.handle, merchant, channel, event_id, kind, doc, headers,
                                                   body)
            return JSONResponse(answer, code)
        return receive

    routes = [Route("/health", health)]
    for merchant in merchants:
        routes += [Route(f"{merchant.prefix}/status", status_of(merchant)),
                   Route(f"{merchant.prefix}/webhooks/{{source}}", webhook_of(merchant), methods=["POST"])]

    @contextlib.asynccontextmanager
    async def lifespan(app):
        for merchant in merchants:
            merchant.inbox.start()   # with what a stop or a crash left pending
        if sched is not None:
            sched.start()
        try:
            yield
        finally:
            for merchant in merchants:
                merchant.inbox.stop()
            if sched is not None and sched.running:
                sched.shutdown(wait=True)   # a fetch in progress finishes its write
            for merchant in merchants:
                merchant.inbox.join()   # an import in progress finishes its write

    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.scheduler = sched
    return app


def server(merchants, host: str = "127.0.0.1", port: int = 8000, schedule: bool = True):
    import uvicorn
    config = uvicorn.Config(build(merchants, schedule), host=host, port=port, log_level="info",
                            timeout_graceful_shutdown=30, lifespan="on")
    return uvicorn.Server(config)
