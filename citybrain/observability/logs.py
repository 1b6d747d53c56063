"""Structured JSON log lines, each with the request id; no personal data is ever logged."""

from __future__ import annotations

import json
import logging
import logging.config
import time
from typing import Any

from citybrain.observability.requests import current_observation

__all__ = [
    "AccessLineFilter",
    "JsonFormatter",
    "RequestIdFilter",
    "configure_logging",
    "logging_config",
]

# Attributes every LogRecord has: anything else was passed with `extra=`.
# (uvicorn's `color_message` repeats the message with terminal colours.)
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "color_message",
}


class RequestIdFilter(logging.Filter):
    """Stamp each record with the id of the request being served (``-`` outside one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        observation = current_observation()
        record.request_id = observation.request_id if observation is not None else "-"
        return True


class AccessLineFilter(logging.Filter):
    """Drop uvicorn's access lines: a GET query string or WebSocket path may hold personal data.

    Each GraphQL request's own ``graphql request`` line replaces them.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "uvicorn.access":
            return False
        return not (
            record.name.startswith("uvicorn")
            and isinstance(record.msg, str)
            and record.msg.startswith('%s - "WebSocket ')
        )


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


_TEXT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def logging_config(log_format: str = "json", level: str = "INFO") -> dict[str, Any]:
    """A :func:`logging.config.dictConfig` for the service and uvicorn, in every process.

    ``citybrain serve`` gives it to uvicorn (``log_config``), which applies it in each
    worker process: the service's and uvicorn's own lines go to stderr through one
    handler (JSON lines or plain text, each with ``request_id``); uvicorn's access lines,
    HTTP and WebSocket, are dropped (:class:`AccessLineFilter`).
    """
    formatter: dict[str, Any] = {"()": JsonFormatter} if log_format == "json" else {"format": _TEXT}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {"()": RequestIdFilter},
            "no_access_lines": {"()": AccessLineFilter},
        },
        "formatters": {"service": formatter},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "service",
                "filters": ["request_id", "no_access_lines"],
            }
        },
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            "uvicorn.access": {"handlers": [], "propagate": False},
        },
        "root": {"handlers": ["stderr"], "level": level},
    }


def configure_logging(log_format: str = "json", level: int = logging.INFO) -> None:
    """Send the service's logs to stderr, as JSON lines or plain text, with request ids."""
    logging.config.dictConfig(logging_config(log_format, logging.getLevelName(level)))
