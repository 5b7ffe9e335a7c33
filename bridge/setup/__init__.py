"""`bridge setup`: wire Zendesk and Jira to the bridge. Each vendor's module plans (pure, from
what the account has) and then applies."""
