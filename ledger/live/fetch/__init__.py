"""`beanclear fetch`: for each live channel, the days the books lack (plan.py), each
day's statements downloaded (one module per channel type), archived under
statements/<source>/ and imported in one write through books.importing.

A fetcher has `names(day)` (the archive names of a day's statements) and
`download(day, name)` (the bytes, a binary file of them for a day too large to hold, or
None when the channel has no statement that day),
raising retry.Later for what another try may fix and retry.Failed for what it cannot."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path

from beanclear.books.atomic import BooksBusy
from beanclear.importers.toolkit import StatementError
from beanclear.live import archive, retry, settings, status
from beanclear.live.fetch import answered, plan
from beanclear.live.secrets import MissingSecret, Secrets

log = logging.getLogger("beanclear.fetch")
# The traceback of an unexpected error goes to serve's log (its handlers), never to the
# terminal of `beanclear fetch`, which says the failure in one line (logging's last-resort
# handler printed it on stderr there)
log.addHandler(logging.NullHandler())


def fetcher_for(channel: settings.ChannelLive, secrets: Secrets, live: settings.Live):
    if channel.type == "stripe":
        from beanclear.live.fetch.stripe import StripeFetcher as cls
    elif channel.type == "wechat":
        from beanclear.live.fetch.wechat import WechatFetcher as cls
    elif channel.type == "paypal":
        from beanclear.live.fetch.paypal import PaypalFetcher as cls
    else:
        from beanclear.live.fetch.alipay import AlipayFetcher as cls
    return cls(channel, secrets, live)


@dataclass
class Report:
    lines: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    fetched: list[Path] = field(default_factory=list)
    imports: list = field(default_factory=list)   # importing.FileResult
    # per source, what its status says once the run's statements are in the books (a run
    # that imports): an import that fails leaves the source failed and last_ok where it was
    settle: dict[str, dict] = field(default_factory=dict)
    # per source, the first day this run left incomplete (failed at, or answered "none yet"
    # and asked again): no day from it on is last_ok, however much of it was archived and
    # imported (blind31: PayPal's transactions of a day in, its balances answering 500, the
    # status said last_ok and failed_day both that day)
    incomplete: dict[str, str] = field(default_factory=dict)


def run(config, sources: list[str] | None = None, since: dt.date | None = None, until: dt.date | None = None,
        today: dt.date | None = None, do_import: bool = True, sleep=None, environ=None) -> Report:
    """Fetch and import. ConfigError for a bad `live:`/`fetch:` or an unknown SOURCE."""
    live = settings.read(config)
    names = _selected(config, live, sources)
    secrets = Secrets(live.secrets_file, environ)
    report = Report()
    for name in names:
        _fetch_source(config, live, live.channels[name], secrets, since, until, today, report, sleep, do_import)
    if do_import:
        _import(config, live, report)
    return report


def _import(config, live, report: Report) -> None:
    """Import what was fetched, and what an earlier failed import left archived but out of
    the books (status `pending_import`); a failure leaves them all pending for next time,
    and each source of them failed in the status, from the first day of them (the books
    hold none), its last_ok where it was. The paths are the channels' own answers for the
    days asked of their APIs: their days are not judged as a hand-picked file's are
    (statements/belonging.py; blind10: the days after a quarter without a fetch were
    refused at every run)."""
    from beanclear.books import importing
    pending = [Path(p) for p in status.read(live.status_file).get("pending_import", []) if Path(p).is_file()]
    paths = list(dict.fromkeys(pending + report.fetched))
    if not paths:
        _settle(live, report)
        return

    def once():
        try:
            return importing.run(config, paths, asked=True)
        except BooksBusy as exc:
            raise retry.Later(str(exc)) from None

    # pending until the import is done: a run killed during it leaves them said (blind31:
    # `serve` killed mid-import restarted "ok", the days archived but not in the books unsaid)
    status.set_pending(live.status_file, [str(p) for p in paths])
    try:
        report.imports = retry.call(live.retry, once)
    except (StatementError, retry.Failed) as exc:
        _import_failed(live, report, paths, f"import: {_in_fetch_terms(exc)}; the statements stay archived and "
                       "nothing was written to the books: fix the cause, then run `beanclear fetch` again (it "
                       "imports them first) or `beanclear import` them")
    except Exception as exc:   # not a refusal: said in one line, the source failed, the statements kept
        log.exception("import of %s", ", ".join(str(p) for p in paths))
        _import_failed(live, report, paths, f"import: unexpected {type(exc).__name__}: {str(exc)[:200]}; the "
                       "statements stay archived: run `beanclear fetch` again (it imports them first), and report "
                       "it if it stays")
    else:
        status.set_pending(live.status_file, [])
        report.lines += [r.summary() for r in report.imports if hasattr(r, "summary")]
        for source, days in _days_of(live, paths).items():   # in the books now, those archived before too
            days = [d for d in days if source not in report.incomplete or d < report.incomplete[source]]
            if days:
                fields = report.settle.setdefault(source, {})
                fields["last_ok"] = max(fields.get("last_ok") or "", max(days))
        _settle(live, report)


def _import_failed(live, report: Report, paths: list[Path], message: str) -> None:
    """The import failed: its files pending for the next fetch, and each source of them
    failed in the status from the first day of them, its last_ok where it was."""
    status.set_pending(live.status_file, [str(p) for p in paths])
    report.failures.append(message)
    for source, days in sorted(_days_of(live, paths).items()):
        report.settle.pop(source, None)
        status.update(live.status_file, source, state="failed", error=message, failed_day=min(days) if days else None)
    _settle(live, report)   # the sources that had nothing in it


def _in_fetch_terms(exc: Exception) -> str:
    """An import's refusal as fetch says it: `beanclear import`'s "pass --force" (a
    statement of another account, lines an earlier file wrote under other ids) is the
    command that imports the file refused anyway; fetch has no --force."""
    said = str(exc)
    file = getattr(exc, "file", None)
    return said.replace("pass --force", f"run `beanclear import --force {file}`") if file else \
        said.replace("pass --force", "run `beanclear import --force` on the file")


def _days_of(live, paths: list[Path]) -> dict[str, list[str]]:
    """Per source of the archived `paths` (statements/<source>/<kind>-<day>.<ext>), their days."""
    out: dict[str, list[str]] = {}
    for path in paths:
        try:
            source = path.relative_to(live.statements).parts[0]
        except ValueError:
            source = path.parent.name
        out.setdefault(source, []).extend(m.group(1) for m in [plan.DATED.search(path.name)] if m)
    return out


def _settle(live, report: Report) -> None:
    """Each source's status as its run left it, now that its statements are in the books."""
    for source, fields in report.settle.items():
        status.update(live.status_file, source, **fields)
    report.settle.clear()


def _ok(live, report: Report, source: str, do_import: bool, **fields) -> None:
    """The status of a run that fetched what it asked for: at once without an import (the
    days archived), else once the import put them in the books (_import)."""
    if do_import:
        report.settle[source] = fields
    else:
        status.update(live.status_file, source, **fields)


def _selected(config, live, sources):
    from beanclear.config import ConfigError
    if not sources:
        return list(live.channels)
    for name in sources:
        if name not in live.channels:
            known = ", ".join(live.channels) or "none"
            if name in config.channels:
                why = f"type {config.channels[name].type} has no API beanclear fetches from"
            elif name in config.banks or name in config.shops:   # (blind26: `fetch chase`)
                why = (f"a {'bank' if name in config.banks else 'shop'} of the config: its statements are imported "
                       f"(beanclear import), not fetched")
            else:
                why = "not a channel of the config"
            raise ConfigError(f"{name}: {why} (expected one of: {known})")
    return list(dict.fromkeys(sources))


def _fetch_source(config, live, channel, secrets, since, until, today, report, sleep, do_import=True) -> None:
    folder = live.statements / channel.name
    try:
        fetcher = fetcher_for(channel, secrets, live)
    except (MissingSecret, retry.Failed) as exc:
        _failed(live, report, channel.name, None, str(exc), do_import=do_import)
        return
    end = plan.last_day(config, until, today)
    if until is not None and until > end:
        report.lines.append(f"{channel.name}: the days after {end} are not over yet: not fetched")
    first, start = plan.starts_at(config, channel, folder, since, end)
    judge = answered.Judge(config, channel.name)
    # the days archived already that the books lack (a `--no-import` run, an import that
    # failed): imported with what is fetched; a statement the books hold is not read
    if not _archived_before(live, report, channel.name, judge, *plan.unbooked(config, channel, fetcher, folder,
                                                                              first, end), do_import):
        return
    days = plan.days(channel, fetcher, folder, first, end)
    if not days:
        report.lines.append(f"{channel.name}: nothing to fetch: {plan.after_end(first, start, end, until)}"
                            if first > end else
                            f"{channel.name}: nothing to fetch (every day up to {end} is archived or in the books)")
        _ok(live, report, channel.name, do_import, state="ok", last_run_days=_caught_up(live, report, channel.name),
            error=None, failed_day=None)
        return
    got, done = [], None   # done: the last day of this run whose statements are all archived
    unsaid = None   # the first day whose answer was "none yet": asked again, so no last_ok from it on
    for day in days:
        for name in fetcher.names(day):
            if plan.archived(folder, name):
                continue
            try:
                content = retry.call(live.retry, fetcher.download, day, name, sleep=sleep)
            except (retry.Failed, MissingSecret) as exc:
                _failed(live, report, channel.name, day, f"{name}: {exc}", done, do_import, got)
                return
            except Exception as exc:   # an SDK's own error: said in one line, the other channels go on
                log.exception("%s: %s: %s", channel.name, day, name)
                _failed(live, report, channel.name, day, f"{name}: unexpected {type(exc).__name__} from the "
                        f"channel's SDK: {str(exc)[:200]}; run `beanclear fetch` again, and report it if it stays",
                        done, do_import, got)
                return
            if content is None:
                report.lines.append(f"{channel.name}: {day}: no {name.rsplit('-', 3)[0]} statement "
                                    "(the channel has none for that day)")
                if day <= plan.last_day(config, None, today) - plan.DAY:
                    # Long enough after the day that "none" is final, not "not generated yet":
                    # remembered (statements/<source>/.none/<name>), not asked for again.
                    archive.write_atomic(folder / plan.NONE / name, b"")
                else:
                    unsaid = unsaid or day
                    report.incomplete.setdefault(channel.name, str(unsaid))
                continue
            # (an answer of another day than `day` is refused before it takes the day's name: answered.py)
            stored = archive.store(folder, name, content, lambda path, day=day: judge.other_days(path, day))
            if stored.state == "refused":
                _failed(live, report, channel.name, day, f"{name}: the answer for {day} is another day's "
                        f"({stored.why}): not archived; {day} is asked for again by the next `beanclear fetch` "
                        "(is the channel's fetch.api_base a cache or a proxy?)", done, do_import, got)
                return
            report.lines.append(f"{channel.name}: {day}: {stored.path} ({stored.size} bytes, {stored.state})")
            if stored.state == "conflict":
                report.failures.append(f"{channel.name}: {stored.note()}")
            else:
                report.fetched.append(stored.path)
                if str(day) not in got:   # (a day of two files, PayPal's: one day fetched)
                    got.append(str(day))
        done = day
    last = days[-1] if unsaid is None else unsaid - plan.DAY
    _ok(live, report, channel.name, do_import, state="ok", last_run_days=[d for d in got if d <= str(last)],
        error=None, failed_day=None, **({"last_ok": str(last)} if last >= days[0] else {}))


def _caught_up(live, report: Report, source: str) -> list[str]:
    """The days of a source this run imports though it fetched none: archived before, not
    in the books (a catch-up after a stop: blind31's `last_run_days` said none)."""
    return sorted(set(_days_of(live, report.fetched).get(source, [])))


def _archived_before(live, report: Report, source: str, judge, fresh: list[Path], copies: list,
                     do_import: bool) -> bool:
    """The statements archived before that the books lack (plan.unbooked), said for what
    becomes of them: those the books lack are imported with what is fetched; one whose
    bytes the books hold under another name is not read again, said so with that name and
    its days (blind24: "imported now", then "not read again: 0 entries written"). One that
    is the answer of another day than it is named for (archived so before the answers were
    judged: answered.py) is the source's failure, not imported: its day is not in the
    books, and is not asked for while the file holds its name. False then (the source
    fetches nothing more this run)."""
    def named(path: Path) -> dt.date | None:
        found = plan.DATED.search(path.name)
        return dt.date.fromisoformat(found.group(1)) if found else None
    wrong = [(path, day, why) for path in [*fresh, *(p for p, _ in copies)]
             if (day := named(path)) and (why := judge.other_days(path, day))]
    wrong_paths = {path for path, _, _ in wrong}
    fresh = [path for path in fresh if path not in wrong_paths]
    report.fetched += fresh
    if fresh:
        report.lines.append(f"{source}: {len(fresh)} statement(s) archived before but not in the books: "
                            + ("imported now" if do_import else "`beanclear fetch` imports them"))
    for path, was in copies:
        if path not in wrong_paths:
            report.lines.append(f"{source}: {path.name}: archived before, not imported: its bytes are in the books "
                                f"already, imported as {was.statement} (covering {was.first} to {was.last})")
    if not wrong:
        return True
    said = [(day, f"{path.name}: archived before as the answer for {day}, but it is another day's ({why}): not "
             f"imported, and {day} is not in the books; remove {path} and run `beanclear fetch` again: it asks for "
             f"{day} again") for path, day, why in sorted(wrong, key=lambda w: (w[1], w[0].name))]
    report.failures += [f"{source}: {day}: {message}" for day, message in said]
    status.update(live.status_file, source, state="failed", error=said[0][1], failed_day=str(said[0][0]))
    return False


def _failed(live, report, source, day, message, done: dt.date | None = None, do_import: bool = True,
            got: list[str] = ()) -> None:
    """A failure said and kept in the status, with the last day this run archived before it
    (as last_ok once it is in the books, when the run imports) and the days it fetched
    whole (`got`, but the failed one)."""
    report.failures.append(f"{source}: {day}: {message}" if day else f"{source}: {message}")
    if day:
        report.incomplete[source] = str(day)
    status.update(live.status_file, source, state="failed", error=message, failed_day=str(day) if day else None,
                  last_run_days=[d for d in got if not day or d < str(day)])
    if done:
        _ok(live, report, source, do_import, last_ok=str(done))
