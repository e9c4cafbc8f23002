"""Reads for the code of conduct and privacy pages, scoped to who is asking.

A contact exists for a lead when it wrote a mention in one of the lead's teams
(admins see every contact); anything else is a 404, like a mention of another team.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from inbox.detection.rules import BrandDetectors
from inbox.exceptions import NotFound
from inbox.models import (
    ConductCase,
    ConductStatus,
    Contact,
    Direction,
    Mention,
    MentionStatus,
    Message,
    Role,
    Strike,
    User,
    Visibility,
)
from inbox.selectors import mentions_visible_to, team_ids_for_user, user_role_in_team
from inbox.services.conduct import active_strikes, house_rules_text, linked_contact_ids


def is_admin(user: User) -> bool:
    return bool(user.is_active and (user.is_superuser or user.is_staff))


def lead_team_ids(*, user: User) -> list[int]:
    return team_ids_for_user(user=user, role=Role.LEAD)


def contacts_visible_to_lead(*, user: User) -> QuerySet[Contact]:
    if is_admin(user):
        return Contact.objects.all()
    return Contact.objects.filter(
        pk__in=Mention.objects.filter(team_id__in=lead_team_ids(user=user)).values("contact_id")
    )


def contact_get_for_lead(*, user: User, contact_id: int) -> Contact:
    contact = contacts_visible_to_lead(user=user).filter(pk=contact_id).first()
    if contact is None:
        raise NotFound(_("This contact does not exist, or has not written to one of your teams."))
    return contact


def contact_search_for_lead(*, user: User, query: str, limit: int = 30) -> list[Contact]:
    query = query.strip().lstrip("@")
    if len(query) < 2:
        return []
    rows = contacts_visible_to_lead(user=user).filter(
        Q(handle__icontains=query) | Q(name__icontains=query) | Q(external_id=query)
    )
    return list(rows.filter(erased_at__isnull=True).order_by("handle", "pk")[:limit])


@dataclass(frozen=True)
class StrikeRow:
    strike: Strike
    active: bool
    mention_visible: bool


@dataclass
class ContactRecord:
    contact: Contact
    linked: list[Contact]
    strikes: list[StrikeRow]
    active_strikes: int
    mentions_by_brand: list[tuple[str, str, int]] = field(default_factory=list)  # brand, platform, count
    cases: list[ConductCase] = field(default_factory=list)


def contact_record_for_lead(*, user: User, contact_id: int) -> ContactRecord:
    """The contact page: strikes and history across every brand, platform and linked contact."""
    contact = contact_get_for_lead(user=user, contact_id=contact_id)
    ids = linked_contact_ids(contact_ids=[contact.pk]).get(contact.pk, {contact.pk})
    now = timezone.now()
    visible = set(mentions_visible_to(user=user).filter(contact_id__in=ids).values_list("pk", flat=True))
    strikes = [
        StrikeRow(
            strike=strike,
            active=strike.lifted_at is None and strike.expires_at > now,
            mention_visible=strike.case.mention_id in visible,
        )
        for strike in Strike.objects.filter(contact_id__in=ids)
        .select_related("brand", "contact", "case", "created_by", "lifted_by")
        .order_by("-created_at", "-pk")[:200]
    ]
    by_brand = (
        Mention.objects.filter(contact_id__in=ids)
        .values_list("account__brand__name", "account__platform")
        .annotate(count=Count("pk"))
        .order_by("account__brand__name", "account__platform")
    )
    return ContactRecord(
        contact=contact,
        linked=list(Contact.objects.filter(pk__in=ids - {contact.pk}).order_by("platform", "handle")),
        strikes=strikes,
        active_strikes=sum(row.active for row in strikes),
        mentions_by_brand=[(brand, platform, count) for brand, platform, count in by_brand],
        cases=list(
            ConductCase.objects.filter(contact_id__in=ids, mention_id__in=visible)
            .select_related("mention", "brand")
            .order_by("-created_at")[:50]
        ),
    )


def conduct_review_for_lead(*, user: User, limit: int = 100) -> tuple[list[ConductCase], list[Mention]]:
    """What waits for the lead: escalated cases, and mentions routed to them as "after warning"."""
    teams = lead_team_ids(user=user) if not user.is_superuser else None
    cases = ConductCase.objects.filter(status=ConductStatus.ESCALATED)
    after_warning = Mention.objects.filter(status=MentionStatus.ESCALATED, after_warning=True).exclude(
        conduct_case__status=ConductStatus.ESCALATED
    )
    if teams is not None:
        cases = cases.filter(mention__team_id__in=teams)
        after_warning = after_warning.filter(team_id__in=teams)
    return (
        list(
            cases.select_related("mention__account__brand", "contact", "brand")
            .prefetch_related("forwards")
            .order_by("escalated_at", "pk")[:limit]
        ),
        list(
            after_warning.select_related("account__brand", "contact").order_by("-priority", "opened_at", "pk")[:limit]
        ),
    )


def conduct_case_get_for_lead(*, user: User, case_id: int) -> ConductCase:
    case = ConductCase.objects.select_related("mention__account__brand", "contact").filter(pk=case_id).first()
    if case is None or user_role_in_team(user=user, team_id=case.mention.team_id) != Role.LEAD:
        raise NotFound(_("This case does not exist, or it is not in one of your teams."))
    return case


@dataclass(frozen=True)
class ConductPanel:
    """What the mention page shows about the code of conduct, and which actions it offers."""

    mention: Mention
    case: ConductCase | None
    active_strikes: int
    house_rules: str
    can_send_house_rules: bool
    can_clear: bool
    can_flag: bool
    is_lead: bool


def conduct_panel_for_agent(*, user: User, mention: Mention) -> ConductPanel:
    """``mention`` as returned by mention_get_for_agent (already scoped to the user)."""
    mention = mention_with_brand_and_contact(mention)
    case = ConductCase.objects.filter(mention_id=mention.pk).first()
    role = user_role_in_team(user=user, team_id=mention.team_id)
    strikes = 0
    if mention.contact_id:
        ids = linked_contact_ids(contact_ids=[mention.contact_id]).get(mention.contact_id, set())
        strikes = Strike.objects.filter(active_strikes(contact_ids=ids)).count()
    own = mention.assignee_id == user.pk and mention.status in (MentionStatus.CLAIMED, MentionStatus.WAITING)
    flagged = case is not None and case.status == ConductStatus.FLAGGED
    return ConductPanel(
        mention=mention,
        case=case,
        active_strikes=strikes,
        house_rules=house_rules_text(mention=mention) if flagged else "",
        can_send_house_rules=flagged and own,
        can_clear=flagged and (own or role == Role.LEAD),
        can_flag=role is not None and mention.is_open and (case is None or case.status in (
            ConductStatus.FLAGGED, ConductStatus.WARNED, ConductStatus.LIFTED)),
        is_lead=role == Role.LEAD,
    )


def mention_with_brand_and_contact(mention: Mention) -> Mention:
    """The mention with its account, brand and contact loaded; read again only if they are not."""
    loaded = mention._state.fields_cache
    if "contact" in loaded and "account" in loaded and "brand" in mention.account._state.fields_cache:
        return mention
    return Mention.objects.select_related("account__brand", "contact").get(pk=mention.pk)


PERSONAL_DATA_LABELS = {
    "email": gettext_lazy("e-mail address"),
    "phone": gettext_lazy("phone number"),
    "iban": gettext_lazy("bank account number"),
    "national_number": gettext_lazy("national number"),
    "customer_number": gettext_lazy("customer number"),
}


@dataclass(frozen=True)
class PersonalDataPanel:
    mention: Mention
    kinds: list[str]
    hideable_message_ids: list[int]
    can_act: bool  # hide + move to private needs the agent's own claim

    @property
    def labels(self) -> list[str]:
        return [str(PERSONAL_DATA_LABELS.get(kind, kind)) for kind in self.kinds]


def personal_data_panel_for_agent(*, user: User, mention: Mention) -> PersonalDataPanel:
    mention = mention_with_brand_and_contact(mention)
    if mention.visibility != Visibility.PUBLIC or not mention.has_personal_data:
        return PersonalDataPanel(mention, [], [], False)
    detectors = BrandDetectors(mention.account.brand_id)
    kinds: set[str] = set()
    hideable = []
    for message in Message.objects.filter(
        mention_id=mention.pk, direction=Direction.INBOUND, deleted_on_platform=False
    ).only("pk", "text", "hidden", "platform_id"):
        found = {match.kind for match in detectors.personal_data(message.text)}
        kinds |= found
        if found and not message.hidden and message.platform_id:
            hideable.append(message.pk)
    own = mention.assignee_id == user.pk and mention.status in (MentionStatus.CLAIMED, MentionStatus.WAITING)
    return PersonalDataPanel(mention, sorted(kinds), hideable, own and bool(hideable))
