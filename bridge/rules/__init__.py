"""YAML rules that detect recurring customer issues: schema, loading, matching, windows, dry runs."""

from bridge.rules.dryrun import DryRunReport, dry_run
from bridge.rules.loader import RuleFiles, load_rules
from bridge.rules.reloader import RuleReloader
from bridge.rules.ruleset import NO_GROUP, Rule, RuleSet
from bridge.rules.ticket_files import load_tickets
from bridge.rules.window import Occurrence, threshold_reached, window_crossing

__all__ = [
    "NO_GROUP", "DryRunReport", "Occurrence", "Rule", "RuleFiles", "RuleReloader", "RuleSet",
    "dry_run", "load_rules", "load_tickets", "threshold_reached", "window_crossing",
]
