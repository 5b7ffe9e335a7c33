"""*Tickets no rule matched recur*: discovery groups them by their words and flags the groups that
are emerging (docs/discovery.md). Pure: `terms`, `candidates`, `grouping` (with `term_arrivals`),
`emergence`, `bursts`, `judging`, `suggestion`; around them the scheduled job that feeds it
(`feed`) and what `bridge discover` lists (`listing`)."""
