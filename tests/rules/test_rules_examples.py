"""The shipped rules in rules/ load with the example teams and fire on realistic ticket text."""

import pytest

from bridge.rules import load_rules
from tests.rules.conftest import CUSTOM_FIELDS, REPO, TEAMS, ticket


@pytest.fixture(scope="module")
def shipped():
    return load_rules(["rules/*.yaml"], REPO, TEAMS, CUSTOM_FIELDS)


def fired(ruleset, **values) -> list[str]:
    return [rule.name for rule in ruleset.matching(ticket(**values))]


@pytest.mark.parametrize("subject, description, rule", [
    ("Charged twice for my subscription!", "Hi, my card was charged twice this month (2x 9.99€).",
     "billing-double-charge"),
    ("Doppelte Abbuchung", "I've been double-charged for order #4411, please fix.", "billing-double-charge"),
    ("Wrong amount on invoice INV-2024-118", "The invoice shows 450 EUR but we agreed 400.",
     "billing-invoice-wrong"),
    ("Still waiting", "I returned the item three weeks ago and my refund has not been\nreceived yet.",
     "billing-refund-missing"),
    ("Remboursement", "Toujours pas de remboursement... I want my money back!", "billing-refund-missing"),
    ("Card declined at checkout", "Every time I try to pay, the payment fails with no message.",
     "billing-payment-failed"),
    ("App crashes on launch", "Since the update the iOS app crashes as soon as I open it.",
     "defects-app-crash"),
    ("Export broken", "Clicking Export shows Error 500, and the report feature doesn't work.",
     "defects-app-crash"),
    ("Screen flickers", "The device won't turn on after charging, the battery seems faulty.",
     "defects-device-fault"),
    ("Where is my order?", "Order 5521 was supposed to arrive last Monday. It is late and tracking "
     "hasn't updated.", "delivery-late-or-lost"),
    ("Parcel lost", "The courier says the parcel was delivered but I never received it.",
     "delivery-late-or-lost"),
    ("Order 7781 status", "Can you tell me the status? Nothing since Tuesday.", "delivery-late-or-lost"),
    ("Wrong address", "I need to change the delivery address for my next order.",
     "delivery-address-problems"),
])
def test_shipped_rules_fire_on_realistic_text(shipped, subject, description, rule):
    assert rule in fired(shipped, subject=subject, description=description, status="open")


@pytest.mark.parametrize("subject, description", [
    ("Password reset", "I forgot my password and the reset email never comes."),
    ("Newsletter", "Please unsubscribe me from your newsletter."),
    ("Change my email address", "I would like to use a new e-mail address for my account."),
    ("Thanks", "Great service, thank you for the quick help!"),
])
def test_shipped_rules_stay_quiet_on_unrelated_text(shipped, subject, description):
    assert fired(shipped, subject=subject, description=description, status="open") == []


def test_agent_tags_alone_route_a_ticket(shipped):
    assert fired(shipped, tags=("late_delivery",)) == ["delivery-late-or-lost"]
    assert fired(shipped, tags=("double_charge",)) == ["billing-double-charge"]


def test_solved_crash_tickets_do_not_count_and_groups_follow_the_product(shipped):
    crash = dict(subject="App keeps crashing", custom_fields={"360001": "app_android"})
    assert "defects-app-crash" not in fired(shipped, status="solved", **crash)
    rule = shipped.by_name("defects-app-crash")
    assert rule.group_key(ticket(**crash)) == "app_android"


def test_every_shipped_rule_has_a_team_the_example_config_knows(shipped):
    assert {rule.team for rule in shipped} == set(TEAMS)
