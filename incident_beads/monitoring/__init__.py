"""Monitoring in and out: Alertmanager webhooks declare incidents, Prometheus measures the fix.

Nothing here is imported by other commands: the receiver's server and the HTTP client load only
when `incident alert`, `incident serve` or `incident evidence` run.
"""
