"""Structured logs: a dotted event name plus fields, rendered as logfmt or JSON lines.

Never pass secrets, request bodies or customer text as fields at INFO level or above.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

_FIELDS = "bridge_fields"


def log_event(logger: logging.Logger, level: int, name: str, **fields) -> None:
    if logger.isEnabledFor(level):
        logger.log(level, name, extra={_FIELDS: fields})


class _Formatter(logging.Formatter):
    def __init__(self, style: str):
        super().__init__()
        self.style_name = style

    def format(self, record: logging.LogRecord) -> str:
        fields = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "event": record.getMessage(),
            "logger": record.name,
            **getattr(record, _FIELDS, {}),
        }
        if record.exc_info:
            fields["error"] = self.formatException(record.exc_info)
        if self.style_name == "json":
            return json.dumps(fields, default=str)
        return " ".join(f"{key}={_logfmt_value(value)}" for key, value in fields.items())


def _logfmt_value(value) -> str:
    text = str(value)
    if text and not any(c in text for c in ' ="\n\t'):
        return text
    return json.dumps(text)


def configure_logging(level: str = "INFO", style: str = "logfmt") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter(style))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Request lines from the WSGI server carry query strings (Jira URL tokens): keep them out.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    # APScheduler logs every job run at INFO; the scheduler logs what matters itself.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
