"""Help Center articles through ZendeskClient and the KnowledgeBase adapter against the simulator."""

import pytest
import requests

from bridge.domain.ports import NewArticle, RemoteError
from connectors.zendesk.errors import ZendeskError
from connectors.zendesk.help_center import ZendeskHelpCenter


@pytest.fixture
def section(sim):
    return sim.account.help_center.create_section("Known issues")


@pytest.fixture
def permission_group(sim):
    return sim.account.help_center.add_permission_group()


def test_an_article_is_created_in_a_section_shown_found_by_label_and_rewritten(client, sim, section,
                                                                                 permission_group):
    created = client.create_article(section["id"], {
        "title": "Double charge", "body": "<p>Refund by hand</p>", "locale": "en-us", "draft": True,
        "label_names": ["bridge-problem-7"], "permission_group_id": permission_group, "user_segment_id": None})
    assert created["draft"] is True and created["section_id"] == section["id"]
    assert created["html_url"].endswith(f"/hc/en-us/articles/{created['id']}")
    assert [a["id"] for a in client.articles_labelled("bridge-problem-7")] == [created["id"]]
    assert client.articles_labelled("bridge-problem-8") == []

    client.update_article_translation(created["id"], "en-us", {"title": "Fixed: double charge", "body": "<p>Fixed</p>"})
    shown = requests.get(f"{sim.url}/api/v2/help_center/articles/{created['id']}.json",
                         auth=(f"{sim.api_email}/token", sim.api_token), timeout=5).json()["article"]
    assert (shown["title"], shown["body"], shown["draft"]) == ("Fixed: double charge", "<p>Fixed</p>", True)


def test_creating_without_a_permission_group_or_in_an_unknown_section_is_refused(client, section):
    with pytest.raises(ZendeskError) as missing_group:
        client.create_article(section["id"], {"title": "t", "body": "b", "user_segment_id": None})
    assert missing_group.value.status == 422
    with pytest.raises(ZendeskError) as unknown_section:
        client.create_article(999, {"title": "t", "body": "b", "permission_group_id": 1, "user_segment_id": None})
    assert unknown_section.value.status == 404


def test_the_adapter_finds_the_article_a_crashed_attempt_created(client, section, permission_group):
    help_center = ZendeskHelpCenter(client, section["id"], permission_group, None, "en-us")
    assert help_center.find_article("bridge-problem-3") is None
    article = help_center.create_article(NewArticle("Workaround", "<p>x</p>", "bridge-problem-3", draft=False))
    assert help_center.find_article("bridge-problem-3") == article and not article.draft


def test_an_account_without_help_center_answers_not_found(client, sim, section, permission_group):
    sim.account.help_center.enabled = False
    help_center = ZendeskHelpCenter(client, section["id"], permission_group, None, "en-us")
    with pytest.raises(RemoteError) as error:
        help_center.create_article(NewArticle("Workaround", "<p>x</p>", "bridge-problem-3", draft=False))
    assert error.value.status == 404 and not error.value.temporary
