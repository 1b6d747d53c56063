"""Structured JSON log lines, each with the request id; no personal data is ever logged."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from citybrain.observability.requests import current_observation

__all__ = ["JsonFormatter", "RequestIdFilter", "configure_logging"]

# Attributes every LogRecord has: anything else was passed with `extra=`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class RequestIdFilter(logging.Filter):
    """Stamp each record with the id of the request being served (``-`` outside one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        observation = current_observation()
        record.request_id = observation.request_id if observation is not None else "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id and extras.

    Messages are the code's own fixed texts; extras are counts, codes and names of
    departments, never rows, keys or query variables.
    """

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        for name, value in vars(record).items():
            if name not in _STANDARD and name != "request_id":
                line[name] = value
        if record.exc_info and record.exc_info[0] is not None:
            line["error"] = record.exc_info[0].__name__  # the type only: messages may hold data
        return json.dumps(line, ensure_ascii=False, default=str)


def configure_logging(log_format: str = "json", level: int = logging.INFO) -> None:
    """Send the service's logs to stderr, as JSON lines or plain text, with request ids."""
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
        )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
