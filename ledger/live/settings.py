"""What config.yaml says about fetching: the `live:` section and, per channel,
`credentials:` (names of environment variables, never secrets) and `fetch:`.

    live:                          # all optional
      secrets_file: /etc/beanclear/tea-house.env   # KEY=VALUE lines, outside the books
      retry: {attempts: 5, delay: 2, max_delay: 300}   # seconds; doubles each try
      timeout: 30                  # seconds per request
      webhook_tolerance: 300       # seconds a webhook's timestamp may be off
    channels:
      stripe:
        credentials: {api_key: STRIPE_API_KEY, webhook_secret: STRIPE_WEBHOOK_SECRET}
        fetch:
          schedule: "30 12 * * *"  # cron: minute hour day month weekday
          timezone: UTC            # of the schedule; default the config's timezone
          since: 2026-01-01        # first day to fetch when nothing of it is archived or booked
          api_base: https://api.stripe.com   # another address (a proxy, a test server)
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from beanclear.config import ConfigError, _Reader

# Each role's environment variable, by channel type: the provider's usual names.
CREDENTIALS = {
    "stripe": {"api_key": "STRIPE_API_KEY", "webhook_secret": "STRIPE_WEBHOOK_SECRET"},
    "wechat": {"mchid": "WECHATPAY_MCHID", "cert_serial_no": "WECHATPAY_CERT_SERIAL_NO",
               "private_key": "WECHATPAY_PRIVATE_KEY", "apiv3_key": "WECHATPAY_APIV3_KEY",
               "public_key": "WECHATPAY_PUBLIC_KEY", "public_key_id": "WECHATPAY_PUBLIC_KEY_ID"},
    "paypal": {"client_id": "PAYPAL_CLIENT_ID", "client_secret": "PAYPAL_CLIENT_SECRET",
               "webhook_id": "PAYPAL_WEBHOOK_ID"},
    "alipay": {"app_id": "ALIPAY_APP_ID", "private_key": "ALIPAY_PRIVATE_KEY", "public_key": "ALIPAY_PUBLIC_KEY"},
}
# When the channel publishes yesterday's statements, and so when to fetch them; a zone of
# None is the config's. The zone goes with its default schedule: a schedule the config
# gives without `timezone` is in the config's zone, whatever the channel (docs/live.md).
SCHEDULES = {"wechat": ("30 10 * * *", None), "alipay": ("0 11 * * *", None),
             "stripe": ("30 12 * * *", "UTC"), "paypal": ("0 13 * * *", "UTC")}
API_BASES = {"stripe": "https://api.stripe.com", "wechat": "https://api.mch.weixin.qq.com",
             "paypal": "https://api-m.paypal.com", "alipay": "https://openapi.alipay.com/gateway.do"}
LIVE_TYPES = tuple(CREDENTIALS)
# Upper case only: a secret pasted here by mistake (sk_live_…) is refused without being echoed.
ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")


@dataclass(frozen=True)
class Retry:
    attempts: int = 5
    delay: float = 2.0        # seconds before the second try; doubled each time
    max_delay: float = 300.0


@dataclass(frozen=True)
class ChannelLive:
    name: str
    type: str
    credentials: dict[str, str]   # role -> name of the environment variable
    schedule: str
    timezone: ZoneInfo
    since: dt.date | None
    api_base: str
    account_id: str | None = None   # the channel's merchant number (WeChat Pay 商户号), when the config gives it


@dataclass(frozen=True)
class Live:
    root: Path                    # the config's folder: statements/ and events/ are beside it
    secrets_file: Path | None
    retry: Retry
    timeout: float
    webhook_tolerance: int
    timezone: ZoneInfo = ZoneInfo("UTC")   # the config's: a statement's day runs midnight to midnight in it
    channels: dict[str, ChannelLive] = field(default_factory=dict)

    @property
    def statements(self) -> Path:
        return self.root / "statements"

    @property
    def events(self) -> Path:
        return self.root / "events"

    @property
    def status_file(self) -> Path:
        return self.root / ".beanclear-live.json"


def _seconds(node: _Reader, positive: bool = True) -> float:
    value = node.number()
    if value < 0 or (positive and value == 0):
        raise node.fail("a number of seconds above 0" if positive else "a number of seconds (0 or more)", node.data)
    return float(value)


def _cron(node: _Reader) -> str:
    from apscheduler.triggers.cron import CronTrigger
    text = node.text(what="a cron line like \"30 10 * * *\"")
    try:
        CronTrigger.from_crontab(text)
    except ValueError as exc:
        raise node.fail(f"a cron line like \"30 10 * * *\" (minute hour day month weekday): {exc}", text) from None
    return text


def _zone(node: _Reader) -> ZoneInfo:
    try:
        return ZoneInfo(node.text())
    except (ZoneInfoNotFoundError, ValueError):
        raise node.fail("an IANA time zone like Asia/Shanghai", node.data) from None


def read(config) -> Live:
    """The live settings of a loaded config; ConfigError names the key path."""
    top = _Reader(config.live, "live").mapping({"secrets_file", "retry", "timeout", "webhook_tolerance"})
    retry = Retry()
    if "retry" in top:
        r = top["retry"].mapping({"attempts", "delay", "max_delay"})
        attempts = r["attempts"].days() if "attempts" in r else retry.attempts
        if attempts < 1:
            raise r["attempts"].fail("a whole number of tries (1 or more)", attempts)
        retry = Retry(attempts, _seconds(r["delay"], False) if "delay" in r else retry.delay,
                      _seconds(r["max_delay"], False) if "max_delay" in r else retry.max_delay)
    secrets = None
    if "secrets_file" in top:
        secrets = (config.root / top["secrets_file"].text()).resolve()
        if secrets.is_relative_to(config.books):
            raise top["secrets_file"].fail("a file outside the books (they are committed to git)", str(secrets))
    live = Live(root=config.root, secrets_file=secrets, retry=retry, timezone=config.timezone,
                timeout=_seconds(top["timeout"]) if "timeout" in top else 30.0,
                webhook_tolerance=int(_seconds(top["webhook_tolerance"])) if "webhook_tolerance" in top else 300)
    for name, channel in config.channels.items():
        if channel.type in LIVE_TYPES:
            live.channels[name] = _channel(name, channel, config.timezone)
        elif channel.live:
            key = next(iter(channel.live))
            raise ConfigError(f"channels.{name}.{key}: beanclear fetches only channels of type "
                              f"{' | '.join(LIVE_TYPES)} (expected no {key} for type {channel.type})")
    return live


def _channel(name: str, channel, timezone: ZoneInfo) -> ChannelLive:
    kind = channel.type
    creds = dict(CREDENTIALS[kind])
    given = _Reader(channel.live.get("credentials"), f"channels.{name}.credentials").mapping(set(creds))
    for role, node in given.items():
        creds[role] = node.text(what="the name of an environment variable (never the secret itself)")
        if not ENV_NAME.match(creds[role]):
            raise node.fail("the name of an environment variable like STRIPE_API_KEY (never the secret itself)",
                            "a value that is not a variable name")
    fetch = _Reader(channel.live.get("fetch"), f"channels.{name}.fetch").mapping(
        {"schedule", "timezone", "since", "api_base"})
    schedule, zone = SCHEDULES[kind] if "schedule" not in fetch else (None, None)
    return ChannelLive(
        name=name, type=kind, credentials=creds,
        schedule=schedule or _cron(fetch["schedule"]),
        timezone=_zone(fetch["timezone"]) if "timezone" in fetch else ZoneInfo(zone) if zone else timezone,
        since=fetch["since"].date() if "since" in fetch else None,
        api_base=(fetch["api_base"].text() if "api_base" in fetch else API_BASES[kind]).rstrip("/"),
        account_id=channel.account_id)
