"""*A problem got a workaround*: before (or instead of) a fix, engineering or an admin says how
customers get by. `start.py` records it (`bridge problems workaround`) and applies the rule's
impact bar (below it, the problem ends with the article: bridge/domain/lifecycle.py
`worked_around`); `actions.py` writes the Help Center article (rewritten when the fix ships) and
tells every linked ticket once, through the one bulk Zendesk send (bridge/actions/zendesk_batches),
tickets that join later included."""
