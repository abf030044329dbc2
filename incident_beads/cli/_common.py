"""What every command shares: `--json`, finding the repository, printing results."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from incident_beads.beads.fileio import find_root
from incident_beads.beads.store import BeadsStore
from incident_beads.cli._subgroups import ACTOR_KEY
from incident_beads.clock import command_clock
from incident_beads.config import Config, load_config
from incident_beads.errors import NoStore

F = TypeVar("F", bound=Callable[..., Any])

json_option = click.option("--json", "as_json", is_flag=True,
                           help="Print the result as JSON for scripts.")


def repo_root(ctx: click.Context) -> Path:
    """The repository the command works on (`-C PATH`, else the current folder)."""
    start = Path(ctx.find_root().obj or ".")
    if not start.is_dir():
        raise click.BadParameter(f"{start} is not a folder", param_hint="-C/--repo")
    return find_root(start)


def actor_for(ctx: click.Context, root: Path) -> str:
    """Who acts: the global `--actor`, else `$INCIDENT_ACTOR`, `$BD_ACTOR`, the git user."""
    from incident_beads.people import resolve_actor

    return resolve_actor(str(root), ctx.find_root().meta.get(ACTOR_KEY))


def config_for(ctx: click.Context) -> Config:
    """The repository's `.incident-beads.toml`."""
    return load_config(repo_root(ctx))


def open_store(ctx: click.Context) -> BeadsStore:
    """The repository's store, on the command's clock; the CLI needs one on disk."""
    root = repo_root(ctx)
    store = BeadsStore(root, config=load_config(root).beads, clock=command_clock())
    if not store.persistent:
        from incident_beads.beads.journal import Journal

        journal = Journal.of(root)
        if journal is not None and journal.tip() is not None:
            raise NoStore(f"no beads store in {root}, but its journal holds the issues written "
                          "here (`git clean` or a checkout removed .beads/)",
                          hint="`incident recover` brings them back")
        raise NoStore(f"no beads store in {root}",
                      hint="run `incident init` (or `bd init`) first")
    ctx.call_on_close(lambda: print_warnings(store.warnings))
    return store


def print_warnings(warnings: list[str]) -> None:
    """Print what went wrong without stopping the command (a failing `bd import`)."""
    for warning in warnings:
        click.echo(f"incident: warning: {' '.join(warning.split())}", err=True)


def emit(as_json: bool, payload: Any, text: str | Callable[[], str]) -> None:
    """Print `payload` as JSON, or `text` for people."""
    if as_json:
        click.echo(json.dumps(payload, ensure_ascii=False, indent=None))
    else:
        click.echo(text() if callable(text) else text)


def signing_options(*, when: str, signer: str) -> Callable[[F], F]:
    """`--at`, `--sign`, `--signature`, `--payload`: how a person signs a decision or review.

    `when` ends "When it was ..."; `signer` names whose signature and payload it is.
    """
    options = [
        click.option("--at", "at", default=None, metavar="TIME",
                     help=f"When it was {when} (the time in a signed payload)."),
        click.option("--sign", "sign", is_flag=True,
                     help="Signed mode: sign with your git user.signingkey (on your own "
                          "machine)."),
        click.option("--signature", "signature_file", default=None, metavar="FILE",
                     help=f"Signed mode: the {signer}'s `ssh-keygen -Y sign` signature of the "
                          "payload."),
        click.option("--payload", "print_payload", is_flag=True,
                     help=f"Print the payload the {signer} signs, and record nothing."),
    ]

    def decorate(command: F) -> F:
        for option in reversed(options):
            command = option(command)
        return command
    return decorate


def signature_args(root: Path, signature_file: str | None, sign: bool) -> dict[str, Any]:
    """The `signature` and `sign_key` a signed decision or review is recorded with."""
    from incident_beads import signing

    return {"signature": signing.read_signature(signature_file) if signature_file else "",
            "sign_key": signing.signing_key(str(root)) if sign else None}
