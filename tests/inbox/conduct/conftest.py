import pytest

from inbox.models import BrandText, BrandTextKind, Category, ConductPolicy, Direction, Mention, Message
from inbox.services.ingest import messages_ingest
from inbox.services.screening import conduct_pending_process
from tests.factories import remote_message


@pytest.fixture
def policy(brand):
    return ConductPolicy.objects.create(brand=brand, repeat_period_days=14, strike_expiry_days=60)


@pytest.fixture
def house_rules(brand):
    BrandText.objects.create(brand=brand, kind=BrandTextKind.HOUSE_RULES, language="nl",
                             text="We helpen je graag, en we houden het hier vriendelijk: telvio.be/huisregels")
    BrandText.objects.create(brand=brand, kind=BrandTextKind.HOUSE_RULES, language="en",
                             text="Happy to help, and we keep it friendly here: telvio.be/house-rules")


@pytest.fixture
def abuse_category(db):
    return Category.objects.create(name="Abuse")


def post(account, text, *, author_id="555", kind="comment", **fields):
    """A customer's post (or follow-up) as ingest stores and screens it, and the worker runs the
    code of conduct after commit; returns its mention."""
    item = remote_message(text=text, author_id=author_id, kind=kind, **fields)
    messages_ingest(account_id=account.pk, items=[item])
    conduct_pending_process()
    return Mention.objects.get(messages__platform_id=item.platform_id, messages__account=account)


def inbound(mention):
    return Message.objects.filter(mention=mention, direction=Direction.INBOUND).order_by("posted_at", "id")
