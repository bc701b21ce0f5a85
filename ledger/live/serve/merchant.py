"""One merchant served: its config, live settings and secrets, a lock so that its
scheduled fetches and webhook imports write the books one at a time, and its inbox (the
events received that its books do not have yet, imported after their answer)."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Callable
from dataclasses import dataclass, field
from pathlib import Path

from beanclear import config as config_mod
from beanclear.live import settings
from beanclear.live.secrets import Secrets
from beanclear.live.serve.inbox import Inbox


@dataclass
class Merchant:
    name: str              # "" for a lone merchant; the folder's name in a folder of merchants
    config: object
    live: settings.Live
    secrets: Secrets
    lock: threading.RLock = field(default_factory=threading.RLock)
    today: Callable[[], dt.date] | None = None   # what "today" is (the clock's, in the config's zone, if None)
    clients: dict = field(default_factory=dict)   # channel name -> its SDK client, made on first use
    received: threading.Lock = field(default_factory=threading.Lock)   # an event archived once, whoever delivers it
    inbox: Inbox = field(init=False, repr=False)

    def __post_init__(self):
        self.inbox = Inbox(self)

    @property
    def prefix(self) -> str:
        return f"/{self.name}" if self.name else ""


def load(config_path: Path, name: str = "", environ=None) -> Merchant:
    config = config_mod.load(config_path)
    live = settings.read(config)
    return Merchant(name, config, live, Secrets(live.secrets_file, environ))


def load_folder(folder: Path, environ=None) -> list[Merchant]:
    """Every <folder>/<merchant>/config.yaml: each merchant's books are its own."""
    found = sorted(p for p in folder.glob("*/config.yaml"))
    if not found:
        raise config_mod.ConfigError(f"{folder}: no <merchant>/config.yaml inside (expected one folder per merchant)")
    return [load(path, path.parent.name, environ) for path in found]
