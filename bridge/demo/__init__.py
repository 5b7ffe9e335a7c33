"""`bridge demo` and the end-to-end tests' environment: both simulators and a real bridge on loopback."""

from bridge.demo.environment import LoopbackEnvironment
from bridge.demo.runner import DemoOptions, run_demo
from bridge.demo.scenario import Scenario, generate_scenario
from bridge.demo.settings import RulesNotFound, find_rules_dir
from bridge.demo.summary import DemoSummary

__all__ = ["DemoOptions", "DemoSummary", "LoopbackEnvironment", "RulesNotFound", "Scenario",
           "find_rules_dir", "generate_scenario", "run_demo"]
