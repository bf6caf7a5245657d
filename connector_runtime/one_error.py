"""One failure, one error: a sync that stops emits one TRACE error, tracebacks only in the log.

When a cause is fatal for every worker (a revoked key, a refused token, a full Drive), each
partition or upload that meets it fails on its own: the CDK emitted one TRACE error per failed
partition plus a summary (41 errors for one revoked key, one of them 8,101 characters long) and
logged a traceback for each. A person sees one failure; the platform and `make status` should
get one readable error.

- `OneError.admit` lets the first TRACE error of the run through, without its stack trace (it
  is in the log, where the failure was caught); later errors are logged in one line, not emitted.
- `RepeatedTracebacks` is a logging filter: the traceback of a failure already logged is not
  logged again (each repeat is counted and the count logged at the end).
"""

from __future__ import annotations

import logging
import threading
from typing import Callable, Optional

from airbyte_cdk.models import AirbyteMessage, FailureType, Type
from airbyte_cdk.utils.traced_exception import AirbyteTracedException


def is_error_trace(message: AirbyteMessage) -> bool:
    return message.type == Type.TRACE and message.trace is not None and message.trace.error is not None


class RepeatedTracebacks(logging.Filter):
    """Drops log records of a failure (same exception type and text) already logged with its traceback."""

    def __init__(self) -> None:
        super().__init__()
        self._seen: set = set()
        self._lock = threading.Lock()
        self.dropped = 0

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.exc_info or not record.exc_info[1]:
            return True
        error = record.exc_info[1]
        key = (type(error).__name__, str(error)[:500])
        with self._lock:
            if key in self._seen:
                self.dropped += 1
                return False
            self._seen.add(key)
        return True


class OneError:
    def __init__(self, logger: logging.Logger) -> None:
        self._logger = logger
        self._lock = threading.Lock()
        self.sent: Optional[str] = None
        self.held_back = 0

    def admit(self, message: AirbyteMessage) -> Optional[AirbyteMessage]:
        """The message to emit: non-errors as they are, the first error without stack trace, None after it."""
        if not is_error_trace(message):
            return message
        error = message.trace.error  # type: ignore[union-attr]
        with self._lock:
            first = self.sent is None
            if first:
                self.sent = error.message or ""
            else:
                self.held_back += 1
        if not first:
            if (error.message or "") != self.sent:
                self._logger.warning(f"Also failed (not reported as a separate error): {first_line(error.message)}")
            return None
        error.stack_trace = None  # logged where the failure was caught (CDK) or by from_exception
        error.internal_message = first_line(error.internal_message) or None
        return message

    def from_exception(self, error: BaseException, emit: Callable[[AirbyteMessage], None]) -> None:
        """An exception that ends the run: one readable TRACE error unless one went out already;
        its traceback in the log."""
        if self.sent is not None:  # e.g. the CDK's summary of the streams that failed on it
            self._logger.info(f"The sync stopped on the error above ({type(error).__name__}).")
            return
        self._logger.error(f"The sync stopped: {first_line(readable(error))}", exc_info=error)
        traced = error if isinstance(error, AirbyteTracedException) else AirbyteTracedException(
            message=readable(error), internal_message=f"{type(error).__name__}", failure_type=FailureType.system_error
        )
        if isinstance(error, AirbyteTracedException) and len(error.message or "") > 1000:
            traced = AirbyteTracedException(message=first_line(error.message)[:1000], failure_type=error.failure_type)
        admitted = self.admit(traced.as_airbyte_message())
        if admitted is not None:
            emit(admitted)

    def summary(self) -> None:
        if self.held_back:
            self._logger.info(f"{self.held_back} more error(s) of this sync were logged, not reported: one failure, one error.")


def readable(error: BaseException) -> str:
    if isinstance(error, AirbyteTracedException) and error.message:
        return error.message
    return f"Unexpected error: {type(error).__name__}."


def first_line(text: Optional[str]) -> str:
    return (text or "").strip().split("\n", 1)[0]
