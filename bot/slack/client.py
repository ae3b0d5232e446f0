"""The Web API client: SLACK_API_URL, timeouts, and retries on 429, 5xx and dropped connections.

Every wait between two tries goes through `sleep` (time.sleep unless the composition root passes
another), so tests skip the waits and still see how long each one would have been.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot import metrics
from bot.config import Settings

Sleep = Callable[[float], None]


class WaitsThrough:
    """Mixed into slack_sdk's retry handlers: they call time.sleep themselves; this waits through
    the injected sleeper instead, for as long as the handler would have."""

    def __init__(self, *args, sleep: Sleep = time.sleep, **kwargs):
        super().__init__(*args, **kwargs)
        self.sleep = sleep

    reason = "connection"  # in the metrics: why calls are tried again

    def prepare_for_next_attempt(self, *, state, request, response=None, error=None) -> None:
        method = request.url.rsplit("/", 1)[-1].split("?")[0]
        metrics.SLACK_RETRIES.labels(metrics.method_label(method), self.reason).inc()
        state.next_attempt_requested = True
        self.sleep(self.wait_before_next(state=state, response=response))
        state.increment_current_attempt()

    def wait_before_next(self, *, state, response) -> float:
        return self.interval_calculator.calculate_sleep_duration(state.current_attempt)


class RateLimitRetry(WaitsThrough, RateLimitErrorRetryHandler):
    """429: wait Retry-After (plus up to a second, as slack_sdk does), then try again."""

    reason = "ratelimited"

    def prepare_for_next_attempt(self, *, state, request, response=None, error=None) -> None:
        if response is None:
            raise error  # type: ignore[misc]
        super().prepare_for_next_attempt(state=state, request=request, response=response, error=error)

    def wait_before_next(self, *, state, response) -> float:
        retry_after = next((v for k, v in response.headers.items() if k.lower() == "retry-after"), None)
        return (int(retry_after[0]) if retry_after else 1) + random.random()


class ServerErrorRetry(WaitsThrough, ServerErrorRetryHandler):
    reason = "server_error"


class ConnectionErrorRetry(WaitsThrough, ConnectionErrorRetryHandler):
    pass


def make_client(settings: Settings, sleep: Sleep = time.sleep) -> WebClient:
    client = WebClient(
        token=settings.bot_token,
        base_url=settings.api_url,
        timeout=15,
        logger=logging.getLogger("cellule.slack"),
    )
    # 429: wait Retry-After then try again (Slack did not process the call).
    client.retry_handlers.append(RateLimitRetry(max_retry_count=4, sleep=sleep))
    client.retry_handlers.append(ServerErrorRetry(max_retry_count=2, sleep=sleep))
    # ConnectionErrorRetryHandler is in the defaults; make it a little more patient.
    client.retry_handlers[:] = [h for h in client.retry_handlers if not isinstance(h, ConnectionErrorRetryHandler)]
    client.retry_handlers.append(ConnectionErrorRetry(max_retry_count=2, sleep=sleep))
    return client
