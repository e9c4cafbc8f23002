"""Detectors that run on every inbound and outbound text."""

from inbox.detection.abuse import Verdict, classify_abuse
from inbox.detection.personal_data import PersonalDataMatch, find_personal_data, mask_personal_data

__all__ = ["PersonalDataMatch", "Verdict", "classify_abuse", "find_personal_data", "mask_personal_data"]
