"""Personal data is masked in the logs, through the handler settings.LOGGING installs."""

import copy
import io
import logging
import logging.config

import pytest
from django.conf import settings

from inbox.log_filters import PersonalDataFilter


@pytest.fixture
def console():
    """settings.LOGGING as it is, with the console handler writing into a buffer we can read."""
    buffer = io.StringIO()
    config = copy.deepcopy(settings.LOGGING)
    config["handlers"]["console"]["stream"] = buffer
    logging.config.dictConfig(config)
    yield logging.getLogger("inbox.test"), buffer
    logging.config.dictConfig(settings.LOGGING)


def test_the_console_handler_masks_personal_data_in_messages_and_arguments(console):
    logger, buffer = console

    logger.warning("Customer %s wrote from %s", "sofie@example.com", "+32 470 12 34 56")

    err = buffer.getvalue()
    assert "sofie@example.com" not in err and "470 12 34 56" not in err
    assert "Customer [email] wrote from [phone]" in err


def test_tracebacks_are_masked_too(console):
    logger, buffer = console
    try:
        raise ValueError("IBAN BE68 5390 0754 7034 refused")
    except ValueError:
        logger.exception("Payment failed")

    err = buffer.getvalue()
    assert "BE68 5390" not in err and "IBAN [iban] refused" in err


def test_a_record_without_personal_data_is_left_alone():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "Polled %d items", (12,), None)

    assert PersonalDataFilter().filter(record)
    assert (record.msg, record.args) == ("Polled %d items", (12,))


def test_every_handler_in_the_settings_has_the_filter():
    for name, handler in settings.LOGGING["handlers"].items():
        assert "personal_data" in handler.get("filters", []), name
