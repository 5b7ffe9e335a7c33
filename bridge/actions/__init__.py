"""The outbox's machinery: the action worker that carries out queued actions against Jira and
Zendesk, their results, and the shared bulk Zendesk send. Each concern's action kinds live in its
own folder: problems/, jira_progress/, overdue/, closure/."""
