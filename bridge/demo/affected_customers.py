"""The customers the demo's outbreak may reach before they write in: organizations on the affected
app version (one of them opted out of proactive notices) and one on a version the defect spares,
each with a few members, set up in the Zendesk simulator as an admin would have them."""

from __future__ import annotations

from bridge.demo.scenario import OUTBREAK_PRODUCT
from connectors.zendesk.simulator import ZendeskSimulator

AFFECTED_VERSION = OUTBREAK_PRODUCT.versions[-1]
AUDIENCE_QUERY = f"type:organization app_version:{AFFECTED_VERSION}"
MEMBERS = 6  # per organization
ORGANIZATIONS = (  # name, app version, tags
    ("Northwind Traders", AFFECTED_VERSION, ()),
    ("Contoso Retail", AFFECTED_VERSION, ()),
    ("Fabrikam Stores", AFFECTED_VERSION, ()),
    ("Tailspin Outfitters", AFFECTED_VERSION, ("no_proactive_notice",)),
    ("Wide World Importers", "4.1.7", ()),
)


def set_up_affected_customers(zendesk: ZendeskSimulator) -> int:
    """The organizations and their members; how many members are on the affected version."""
    affected = 0
    for name, version, tags in ORGANIZATIONS:
        organization = zendesk.create_organization(name, {"product": OUTBREAK_PRODUCT.value, "app_version": version},
                                                   tags=tags)
        domain = name.lower().split()[0]
        for number in range(MEMBERS):
            zendesk.create_customer(f"member{number}@{domain}.example", f"Member{number} of {name}",
                                    organization_id=organization["id"])
        affected += MEMBERS if version == AFFECTED_VERSION else 0
    return affected
