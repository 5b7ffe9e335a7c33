"""`bridge problems workaround ID --text ... | --article-url ...`: give a problem its workaround by hand."""

from __future__ import annotations

from urllib.parse import urlparse

import click

from bridge.cli.context import CliContext, pass_context


def _http_url(context, parameter, value: str | None) -> str | None:
    if value is not None:
        parsed = urlparse(value)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise click.BadParameter("must be an http(s) URL such as https://help.example.com/hc/articles/1")
    return value


@click.command("workaround")
@click.argument("problem_id", type=click.IntRange(1, 2**63 - 1))
@click.option("--text", help="How customers get by until the fix ships (an article is written from it "
                             "when zendesk.help_center is configured).")
@click.option("--article-url", callback=_http_url, help="An article that already explains the workaround.")
@pass_context
def workaround_command(context: CliContext, problem_id: int, text: str | None, article_url: str | None) -> None:
    """Record a problem's workaround: the Help Center article is written (or the URL linked) and
    every linked ticket is told once, tickets that join later too; below the rule's impact bar
    (`zendesk.on_workaround.ends_problem`) the problem ends with it. The worker does the sending."""
    from bridge.workaround.start import CLI, NoWorkaround

    if not text and not article_url:
        raise click.UsageError("give --text, --article-url or both")
    runtime = context.runtime()
    try:
        with runtime.engine.begin() as connection:
            workaround = runtime.workarounds.record(connection, problem_id, text, article_url, CLI, runtime.clock())
    except NoWorkaround as error:
        raise click.ClickException(f"problem {problem_id} cannot take a workaround: {error}") from None
    ending = ("the problem ends with it (below the rule's impact bar)" if workaround.outcome == "ended"
              else "the Jira issue stays on course for a fix")
    click.echo(f"problem {problem_id}: workaround recorded; {ending}. The worker writes the article "
               "and tells the linked tickets (`bridge problems show` follows it).")
