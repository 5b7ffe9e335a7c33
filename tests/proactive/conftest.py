from tests.planning.conftest import crash_rule, plain_rule, rule_from  # noqa: F401 - fixtures
