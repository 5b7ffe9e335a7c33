"""Discovery's settings as its pure parts take them."""

from __future__ import annotations

from bridge.config.discovery_settings import DiscoverySettings
from bridge.discovery.emergence import EmergencePolicy


def emergence_policy(settings: DiscoverySettings) -> EmergencePolicy:
    return EmergencePolicy(settings.window, settings.recent, settings.min_size, settings.growth,
                           settings.significance)
