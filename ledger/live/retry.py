"""Backoff for what may succeed later: a bill not generated yet, a timeout, a 5xx. Each
fetcher raises Later for those and Failed for what another try cannot fix (a bad key,
a refused signature); after the last try a Later becomes a Failed saying what to do."""

from __future__ import annotations

from tenacity import RetryError, Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from beanclear.live.settings import Retry


class Failed(Exception):
    """What to tell the user: what went wrong and what to do."""


class Later(Exception):
    """Worth another try: the statement is not ready, the channel timed out or failed."""


def call(policy: Retry, fn, *args, sleep=None):
    """fn(*args), tried up to policy.attempts times while it raises Later."""
    kwargs = {"sleep": sleep} if sleep is not None else {}
    retrying = Retrying(stop=stop_after_attempt(policy.attempts),
                        wait=wait_exponential(multiplier=policy.delay, max=policy.max_delay),
                        retry=retry_if_exception_type(Later), reraise=False, **kwargs)
    try:
        return retrying(fn, *args)
    except RetryError as exc:
        last = exc.last_attempt.exception()
        tries = policy.attempts
        raise Failed(f"{last} (after {tries} {'try' if tries == 1 else 'tries'}); run `beanclear fetch` again "
                     "later, or raise live.retry.attempts") from last
