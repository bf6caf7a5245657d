"""One failure, one error (connector_runtime/one_error.py)."""

from __future__ import annotations

import logging

from airbyte_cdk.models import AirbyteMessage, AirbyteLogMessage, FailureType, Level, Type
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from connector_runtime.one_error import OneError, RepeatedTracebacks

LOGGER = logging.getLogger("test.one_error")


def error(text: str) -> AirbyteMessage:
    try:
        raise AirbyteTracedException(message=text, internal_message=f"{text}\nmore detail", failure_type=FailureType.config_error)
    except AirbyteTracedException as raised:
        return raised.as_airbyte_message()


def test_given_the_same_failure_in_many_partitions_when_emitted_then_one_error_without_stack_trace():
    gate = OneError(LOGGER)
    out = [gate.admit(error("The bank rejected the credentials (HTTP 401).")) for _ in range(41)]

    sent = [m for m in out if m is not None]
    assert len(sent) == 1 and gate.held_back == 40
    assert sent[0].trace.error.stack_trace is None and sent[0].trace.error.internal_message == "The bank rejected the credentials (HTTP 401)."


def test_given_other_messages_when_admitted_then_they_pass_unchanged():
    gate = OneError(LOGGER)
    log = AirbyteMessage(type=Type.LOG, log=AirbyteLogMessage(level=Level.INFO, message="hello"))
    gate.admit(error("first"))
    assert gate.admit(log) is log


def test_given_an_exception_ending_the_run_when_no_error_was_sent_then_one_readable_error(caplog):
    gate, emitted = OneError(LOGGER), []
    gate.from_exception(ValueError("secret detail"), emitted.append)
    (message,) = emitted
    assert message.trace.error.message == "Unexpected error: ValueError." and message.trace.error.stack_trace is None


def test_given_an_exception_ending_the_run_after_an_error_when_handled_then_nothing_more_is_emitted():
    gate, emitted = OneError(LOGGER), []
    gate.admit(error("first"))
    gate.from_exception(AirbyteTracedException(message="During the sync, the following streams did not sync successfully: " + "x" * 8000), emitted.append)
    assert emitted == []


def test_given_the_same_exception_logged_twice_when_filtered_then_one_traceback():
    filter_, records = RepeatedTracebacks(), []
    for _ in range(3):
        try:
            raise ValueError("same")
        except ValueError as raised:
            record = LOGGER.makeRecord(LOGGER.name, logging.ERROR, __file__, 1, "failed", (), (type(raised), raised, raised.__traceback__))
            records.append(filter_.filter(record))
    assert records == [True, False, False] and filter_.dropped == 2
