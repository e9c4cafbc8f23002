"""Personal data never reaches the logs: a filter that masks it in every record.

Installed on the console handler in settings.LOGGING. It masks the built-in kinds
(e-mail, phone, IBAN, national number) in the formatted message and in the
traceback text; brands' own customer-number formats live in the database, which
a log filter must not query.
"""

from __future__ import annotations

import logging

from inbox.detection.personal_data import mask_personal_data


class PersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the logging module's to report, not ours
            return True
        masked = mask_personal_data(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_personal_data(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_personal_data(record.stack_info)
        return True
