"""The `impact` section of the config: defaults, and mistakes named by file, line and key."""

import pytest

from bridge.config.impact_settings import ImpactSettings
from bridge.config.settings import load_settings
from tests.test_config import ENV, VALID, errors_of


def test_an_empty_section_turns_the_score_on_with_the_defaults(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text(VALID + "impact: {}\n")
    impact = load_settings(path, ENV).impact
    assert impact is not None
    assert (impact.organization_default, impact.bad_rating_weight, impact.reply_weight,
            impact.resolution_hour_weight, impact.refresh_seconds) == (1, 5, 0.5, 0.1, 3600)
    path.write_text(VALID)
    assert load_settings(path, ENV).impact is None


@pytest.mark.parametrize("addition, expected", [
    ("impact:\n  organization_values: {enterprise: 20}\n",
     ["config.yaml:16: impact: organization_values and organization_multiplier need organization_field"]),
    ("impact:\n  organization_field: plan\n  organization_values: {enterprise: -2}\n",
     ["config.yaml:18: impact.organization_values: enterprise: points must be 0 or more"]),
    ("impact:\n  reply_weight: lots\n",
     ["config.yaml:17: impact.reply_weight: expected a number, got the text 'lots'"]),
    ("impact:\n  refresh_seconds: 0\n",
     ["config.yaml:17: impact.refresh_seconds: must be at least 1.0, got 0"]),
    ("impact:\n  bad_ratings_weight: 3\n",
     ["config.yaml:17: impact.bad_ratings_weight: unknown key; did you mean 'bad_rating_weight'?"]),
])
def test_mistakes_are_located(tmp_path, addition, expected):
    assert errors_of(tmp_path, VALID + addition) == expected


def test_the_settings_digest_changes_with_the_weights_not_with_the_refresh_interval():
    base = ImpactSettings(organization_field="plan", organization_values={"Enterprise": 20})
    assert base.digest() == ImpactSettings(organization_field="plan", organization_values={"enterprise": 20},
                                           refresh_seconds=60).digest()
    assert base.digest() != ImpactSettings(organization_field="plan", organization_values={"enterprise": 25}).digest()
    assert base.digest() != ImpactSettings(organization_field="plan", organization_values={"enterprise": 20},
                                           bad_rating_weight=1).digest()
