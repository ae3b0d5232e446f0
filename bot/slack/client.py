"""The Web API client: SLACK_API_URL, timeouts, and retries on 429, 5xx and dropped connections."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.config import Settings


def make_client(settings: Settings) -> WebClient:
    client = WebClient(
        token=settings.bot_token,
        base_url=settings.api_url,
        timeout=15,
        logger=logging.getLogger("cellule.slack"),
    )
    # 429: wait Retry-After then try again (Slack did not process the call).
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=4))
    client.retry_handlers.append(ServerErrorRetryHandler(max_retry_count=2))
    # ConnectionErrorRetryHandler is in the defaults; make it a little more patient.
    client.retry_handlers[:] = [h for h in client.retry_handlers if not isinstance(h, ConnectionErrorRetryHandler)]
    client.retry_handlers.append(ConnectionErrorRetryHandler(max_retry_count=2))
    return client
