"""The last fetch of each channel, kept as JSON beside the config (.beanclear-live.json)
so that `beanclear serve`'s /status, monitors and the Reconciliation page can show it."""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path

from beanclear.live.archive import write_atomic

_lock = threading.Lock()


def read(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def update(path: Path, source: str, **fields) -> dict:
    """Merge `fields` into the source's record, stamped with the time (UTC). `last_ok`,
    the last day fetched, never moves back: a run of older days (`--since` a day before
    them) leaves the later days archived (blind4: it went back from 12-04 to 11-20)."""
    with _lock:
        state = read(path)
        record = state.setdefault("sources", {}).setdefault(source, {})
        if fields.get("last_ok") and str(record.get("last_ok") or "") > fields["last_ok"]:
            fields["last_ok"] = record["last_ok"]
        record.update(fields, updated=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"))
        write_atomic(path, (json.dumps(state, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode())
        return state


def set_pending(path: Path, files: list[str]) -> None:
    """The archived files a failed import left out: the next fetch imports them first."""
    with _lock:
        state = read(path)
        if files:
            state["pending_import"] = files
        elif state.pop("pending_import", None) is None:
            return
        write_atomic(path, (json.dumps(state, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode())


def rows(root: Path) -> list[dict]:
    """The status file beside a config as rows for a page: one per source, sorted by name,
    each with state, last day fetched, error, last event and unknown events."""
    state = read(root / ".beanclear-live.json").get("sources", {})
    out = []
    for name, record in sorted(state.items()):
        if not isinstance(record, dict):
            continue
        event = record.get("last_event") if isinstance(record.get("last_event"), dict) else {}
        out.append({"source": name, "state": str(record.get("state", "")), "last_ok": record.get("last_ok"),
                    "error": record.get("error") or record.get("last_event_error"), "updated": record.get("updated"),
                    "event": f"{event.get('type', '')} {event.get('at', '')}".strip() if event else "",
                    "unknown": len(record.get("unknown_events") or [])})
    return out
