"""YAML rules that detect recurring customer issues: schema, loading, matching, windows, dry runs."""

from bridge.rules.dryrun import DryRunReport, dry_run
from bridge.rules.loader import load_rules
from bridge.rules.reloader import RuleReloader
from bridge.rules.rule_files import RuleFiles
from bridge.rules.ruleset import NO_GROUP, Rule, RuleSet
from bridge.rules.window import Occurrence, threshold_reached, window_crossing

__all__ = [
    "NO_GROUP", "DryRunReport", "Occurrence", "Rule", "RuleFiles", "RuleReloader", "RuleSet",
    "dry_run", "load_rules", "threshold_reached", "window_crossing",
]
