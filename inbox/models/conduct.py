"""The code of conduct: admins' rules, brand policy, the escalation ladder and its strikes."""

from __future__ import annotations

from typing import Final

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from inbox import crypto
from inbox.models.channels import Brand
from inbox.models.contacts import Contact
from inbox.models.deliveries import Delivery
from inbox.models.mentions import Category, Mention, Message


class AbuseClass(models.TextChoices):
    THREAT = "threat", _("Threat")
    HATE = "hate", _("Hate or racism")
    INSULT = "insult", _("Insult")


class AbuseTermKind(models.TextChoices):
    PHRASE = "phrase", _("Word or phrase")
    REGEX = "regex", _("Regular expression")


class AbuseTerm(models.Model):
    """An admin's addition to the abuse lexicon, for one brand or for all."""

    brand = models.ForeignKey(
        Brand,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="abuse_terms",
        verbose_name=_("brand"),
        help_text=_("Empty: applies to every brand."),
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, blank=True, help_text=_("Empty: every language.")
    )
    abuse_class = models.CharField(_("class"), max_length=16, choices=AbuseClass.choices)
    kind = models.CharField(_("kind"), max_length=8, choices=AbuseTermKind.choices, default=AbuseTermKind.PHRASE)
    expression = models.CharField(
        _("term, phrase or pattern"),
        max_length=200,
        help_text=_(
            "Phrase: words separated by spaces; a|b for a choice; word* for words starting with it; ~3 for up to "
            "three words in between (e.g. “ik|we ~2 maak je af”). Spelling variants, accents, leetspeak and "
            "repeated letters are handled for you. Regular expression: matched against that normalised, "
            "lower-case text; bounded repetitions only."
        ),
    )
    is_exception = models.BooleanField(
        _("never abusive"),
        default=False,
        help_text=_("Tick to mark what matches as not abusive for this class (a product name, a figure of speech)."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["abuse_class", "expression"]
        verbose_name = _("abuse term")
        verbose_name_plural = _("abuse terms")
        indexes = [models.Index(fields=["brand", "is_active"], name="abuseterm_brand")]

    def __str__(self) -> str:
        return self.expression

    def clean(self) -> None:
        from inbox.detection.rules import abuse_rule_for

        try:
            abuse_rule_for(self, compile_now=True)
        except ValueError as exc:
            raise ValidationError({"expression": str(exc)}) from None


#: Everyday numbers a customer-number pattern must not match, or every post would be "personal data".
EVERYDAY_NUMBERS: Final = (
    "12/03/2024", "2024-03-12", "12.03.2024", "14:30", "14u30", "49,99", "1.234,56", "€ 120", "9000", "1000 Brussel",
    "2100", "1012 AB", "24/7", "5G", "100", "2025",
)


class CustomerNumberPattern(models.Model):
    """A brand's customer or contract number format: personal data that must never be public."""

    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="customer_number_patterns", verbose_name=_("brand")
    )
    name = models.CharField(_("name"), max_length=80, help_text=_("e.g. Customer number, Contract number."))
    pattern = models.CharField(
        _("pattern"),
        max_length=200,
        help_text=_(
            r"A regular expression for the whole number, e.g. CN-\d{8} or [0-9]{3}\.[0-9]{3}\.[0-9]{3}. Every "
            r"repetition needs an upper bound ({1,12}, never + or *); no look-arounds or back-references."
        ),
    )
    example = models.CharField(_("example"), max_length=64, help_text=_("A made-up number the pattern must find."))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["brand__name", "name"]
        verbose_name = _("customer number pattern")
        verbose_name_plural = _("customer number patterns")

    def __str__(self) -> str:
        return f"{self.brand} · {self.name}"

    def clean(self) -> None:
        from inbox.detection.personal_data import compile_customer_pattern
        from inbox.detection.safe_regex import UnsafePattern

        try:
            compiled = compile_customer_pattern(self.pattern)
        except UnsafePattern as exc:
            raise ValidationError({"pattern": str(exc)}) from None
        if self.example and not compiled.search(self.example):
            raise ValidationError({"example": _("The pattern does not find this example.")})
        clashes = [sample for sample in EVERYDAY_NUMBERS if compiled.search(sample)]
        if clashes:
            raise ValidationError(
                {"pattern": _("This pattern also matches everyday numbers such as %(sample)s; make it stricter.")
                 % {"sample": clashes[0]}}
            )


class ConductPolicy(models.Model):
    """How a brand applies its code of conduct. A brand without one gets the defaults."""

    brand = models.OneToOneField(
        Brand, on_delete=models.CASCADE, related_name="conduct_policy", verbose_name=_("brand")
    )
    repeat_period_days = models.PositiveSmallIntegerField(
        _("repeat period (days)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("A further abusive message within this many days of a warning goes to the leads."),
    )
    strike_expiry_days = models.PositiveSmallIntegerField(
        _("strikes expire after (days)"),
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(730)],
        help_text=_("While a strike is active, the contact's new mentions arrive marked “after warning”."),
    )
    hide_on_escalation = models.BooleanField(
        _("hide abusive comments on escalation"),
        default=True,
        help_text=_("Facebook hides the comment; X hides the reply (only in conversations the brand started)."),
    )
    close_category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category when upheld"),
        help_text=_("What an upheld escalation is filed under; leads can choose another."),
    )
    security_email = models.EmailField(_("security e-mail"), blank=True)
    security_webhook_url = models.URLField(
        _("security webhook URL"),
        blank=True,
        help_text=_("Receives a JSON POST signed with HMAC-SHA256 in X-Webcare-Signature (see the README)."),
    )
    security_webhook_secret_ciphertext = models.TextField(editable=False, blank=True, default="")

    class Meta:
        verbose_name = _("code of conduct policy")
        verbose_name_plural = _("code of conduct policies")

    def __str__(self) -> str:
        return str(self.brand)

    def clean(self) -> None:
        if self.repeat_period_days and self.strike_expiry_days and self.repeat_period_days > self.strike_expiry_days:
            raise ValidationError(
                {"repeat_period_days": _("The repeat period cannot be longer than the life of a strike.")}
            )

    def get_webhook_secret(self) -> str:
        return crypto.decrypt_json(self.security_webhook_secret_ciphertext).get("secret", "")

    def set_webhook_secret(self, secret: str) -> None:
        self.security_webhook_secret_ciphertext = crypto.encrypt_json({"secret": secret}) if secret else ""


class ConductStatus(models.TextChoices):
    FLAGGED = "flagged", _("Flagged")
    WARNED = "warned", _("House rules sent")
    ESCALATED = "escalated", _("With the leads")
    UPHELD = "upheld", _("Upheld")
    LIFTED = "lifted", _("Lifted")
    FORWARDED = "forwarded", _("Forwarded to security")


_C = ConductStatus
#: The ladder. The one writer (inbox.services.transitions.conduct_transition) refuses anything else.
#: warned -> flagged is the house rules taken back within the undo window; upheld and
#: forwarded go back to escalated when the customer writes abusively again.
CONDUCT_TRANSITIONS: Final[dict[str, frozenset[str]]] = {
    _C.FLAGGED: frozenset({_C.WARNED, _C.ESCALATED, _C.LIFTED}),
    _C.WARNED: frozenset({_C.FLAGGED, _C.ESCALATED, _C.LIFTED}),
    _C.ESCALATED: frozenset({_C.UPHELD, _C.LIFTED, _C.FORWARDED}),
    _C.UPHELD: frozenset({_C.FORWARDED, _C.LIFTED, _C.ESCALATED}),
    _C.FORWARDED: frozenset({_C.LIFTED, _C.ESCALATED}),
    _C.LIFTED: frozenset({_C.FLAGGED, _C.ESCALATED}),
}


class ConductReason(models.TextChoices):
    """Why a step was taken; stored on the event and the case."""

    ABUSIVE_LANGUAGE = "abusive_language", _("Abusive language detected")
    THREAT = "threat", _("Threat")
    AGENT_FLAG = "agent_flag", _("Flagged by an agent")
    HOUSE_RULES_SENT = "house_rules_sent", _("House rules sent")
    HOUSE_RULES_UNDONE = "house_rules_undone", _("House rules taken back")
    REPEAT_AFTER_WARNING = "repeat_after_warning", _("Abusive again after a warning")
    AFTER_WARNING = "after_warning", _("New mention from a warned contact")
    UPHELD = "upheld", _("Upheld by a lead")
    FALSE_POSITIVE = "false_positive", _("Not abusive after all")
    LIFTED = "lifted", _("Lifted by a lead")
    FORWARDED = "forwarded_to_security", _("Forwarded to security")


class ConductCase(models.Model):
    """One mention's place on the escalation ladder. Only the transition helper writes ``status``."""

    mention = models.OneToOneField(
        Mention, on_delete=models.PROTECT, related_name="conduct_case", verbose_name=_("mention")
    )
    contact = models.ForeignKey(
        Contact,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="conduct_cases",
        verbose_name=_("contact"),
    )
    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="conduct_cases", verbose_name=_("brand"))
    status = models.CharField(_("status"), max_length=16, choices=ConductStatus.choices, default=ConductStatus.FLAGGED)
    reason = models.CharField(_("reason"), max_length=32, choices=ConductReason.choices)
    classes = models.JSONField(_("classes"), default=list, blank=True)
    flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("flagged by"),
        help_text=_("Empty when Webcare flagged it."),
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("reviewed by"),
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("flagged at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("code of conduct case")
        verbose_name_plural = _("code of conduct cases")
        indexes = [
            models.Index(fields=["status", "escalated_at"], name="conductcase_review"),
            models.Index(fields=["contact", "-created_at"], name="conductcase_contact"),
        ]

    def __str__(self) -> str:
        return f"#{self.mention_id} {self.get_status_display()}"

    @property
    def is_threat(self) -> bool:
        return AbuseClass.THREAT in self.classes

    @property
    def class_labels(self) -> list[str]:
        return [str(AbuseClass(value).label) for value in self.classes if value in AbuseClass.values]


class PendingConduct(models.Model):
    """An abusive customer message the ladder has not processed yet (a transactional outbox).

    Ingest writes it in the transaction that stores the message, already flagged and,
    for a threat or a warned person, already in the leads' queue; a task after commit
    opens the case, records strikes and hides the comment, then deletes the row. A
    row a lost task left behind is picked up by the sweeper.
    """

    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="pending_conduct")
    mention = models.ForeignKey(Mention, on_delete=models.CASCADE, related_name="+")
    classes = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("pending code of conduct check")
        verbose_name_plural = _("pending code of conduct checks")

    def __str__(self) -> str:
        return f"message #{self.message_id}"


class StrikeKind(models.TextChoices):
    WARNING = "warning", _("House rules sent")
    ESCALATION = "escalation", _("Escalated to the leads")


class Strike(models.Model):
    """A mark on a contact's record. Active until it expires or a lead lifts it."""

    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="strikes", verbose_name=_("contact"))
    case = models.ForeignKey(ConductCase, on_delete=models.PROTECT, related_name="strikes", verbose_name=_("case"))
    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="+", verbose_name=_("brand"))
    kind = models.CharField(_("kind"), max_length=16, choices=StrikeKind.choices)
    delivery = models.ForeignKey(
        Delivery, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text=_("The house rules answer that recorded this strike."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"))
    expires_at = models.DateTimeField(_("expires at"))
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lift_reason = models.CharField(_("lift reason"), max_length=32, choices=ConductReason.choices, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("strike")
        verbose_name_plural = _("strikes")
        indexes = [
            models.Index(fields=["contact", "expires_at"], condition=Q(lifted_at__isnull=True), name="strike_active")
        ]
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("created_at")), name="strike_expires_later")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.contact}"


class ForwardState(models.TextChoices):
    PENDING = "pending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class SecurityForward(models.Model):
    """A threat handed to the brand's security contact by e-mail and webhook, each sent at most once."""

    case = models.ForeignKey(ConductCase, on_delete=models.PROTECT, related_name="forwards", verbose_name=_("case"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("state"), max_length=8, choices=ForwardState.choices, default=ForwardState.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    email_sent_at = models.DateTimeField(_("e-mail sent at"), null=True, blank=True)
    webhook_sent_at = models.DateTimeField(_("webhook sent at"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("security forward")
        verbose_name_plural = _("security forwards")
        indexes = [models.Index(fields=["state", "updated_at"], name="securityforward_due")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_state_display()}"
