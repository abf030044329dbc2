"""Our marked section inside a hook file: write it, find it, take it out.

The section goes right after the shebang, saves stdin to a temporary file, runs the guard on it,
then hands the same input to the rest of the file, so every later section sees every ref.
"""

from __future__ import annotations

from incident_beads.process.shell import shell_quote as quote

HOOK = "pre-push"
BEGIN = f"# >>> incident-beads {HOOK} >>>"
END = f"# <<< incident-beads {HOOK} <<<"

ALL_ARGS = '"$@"'
_SHELLS = ("sh", "bash", "dash", "zsh", "ksh", "ash", "busybox")

# Started with -I -S: no site-packages scan and no user paths, only the package folder
# recorded at install time. That keeps the push cost at an interpreter start plus our imports.
_ENTRY = ("import sys; sys.path.insert(0, sys.argv.pop(1)); "
          "from incident_beads.guard.hook import main; main()")


def shell_quote(text: str) -> str:
    """Quote `text` for a POSIX shell, always (the hook section's text stays as installed)."""
    return quote(text, always=True)


def guard_command(python: str, package_parent: str, args: str) -> str:
    """The shell command that runs the guard with a recorded interpreter and package folder."""
    return (f"{shell_quote(python)} -I -S -c {shell_quote(_ENTRY)} "
            f"{shell_quote(package_parent)} {HOOK} {args}")


def section(python: str, package_parent: str) -> str:
    """The shell section `incident hooks install` writes into a pre-push hook."""
    probe = f"{package_parent}/incident_beads/guard/hook.py"
    gone = (f"incident: the push guard cannot run: {python} or {probe} is gone. Run "
            '"incident hooks install" again with the package installed, or delete the '
            'incident-beads section of this hook ("incident hooks uninstall").')
    return "\n".join([
        BEGIN,
        "# Refuses pushes that bring an untagged hotfix to a protected branch.",
        "# Written by 'incident hooks install'; edit outside these markers only.",
        'incident_beads_in=$(mktemp "${TMPDIR:-/tmp}/incident-beads.XXXXXX") || exit 1',
        'cat >"$incident_beads_in"',
        f"if [ -x {shell_quote(python)} ] && [ -f {shell_quote(probe)} ]; then",
        f"    {guard_command(python, package_parent, ALL_ARGS)}"
        ' <"$incident_beads_in" || {',
        '        incident_beads_rc=$?; rm -f "$incident_beads_in"; exit "$incident_beads_rc"',
        "    }",
        "else",
        f"    echo {shell_quote(gone)} >&2",
        '    rm -f "$incident_beads_in"; exit 1',
        "fi",
        'exec <"$incident_beads_in"',
        'rm -f "$incident_beads_in"',
        END,
    ]) + "\n"


def has_section(text: str) -> bool:
    """True when the text holds our complete section."""
    lines = text.splitlines()
    return BEGIN in lines and END in lines


def section_text(text: str) -> str | None:
    """Our section as it stands in the file, or None."""
    lines = text.splitlines(keepends=True)
    start, end = _bounds(lines)
    if start is None or end is None:
        return None
    return "".join(lines[start:end + 1])


def remove_section(text: str) -> str:
    """The text without our section."""
    lines = text.splitlines(keepends=True)
    start, end = _bounds(lines)
    if start is None or end is None:
        return text
    return "".join(lines[:start] + lines[end + 1:])


def insert_section(text: str, block: str) -> str:
    """Put `block` right after the shebang (replacing an older copy of it)."""
    text = remove_section(text)
    lines = text.splitlines(keepends=True)
    if lines and lines[0].startswith("#!"):
        head = lines[0] if lines[0].endswith("\n") else lines[0] + "\n"
        return head + block + "".join(lines[1:])
    return block + text


def is_shell_script(text: str) -> bool:
    """True for a file a POSIX shell runs: a shell shebang, or none at all."""
    first = text.split("\n", 1)[0]
    if not first.startswith("#!"):
        return True
    words = first[2:].split()
    if not words:
        return True
    program = words[0].rsplit("/", 1)[-1]
    if program == "env" and len(words) > 1:
        program = words[-1] if words[1].startswith("-") else words[1]
    return program in _SHELLS


def only_shebang(text: str) -> bool:
    """True when nothing but a shebang and blank lines is left."""
    lines = [line for line in text.splitlines() if line.strip()]
    return not lines or (len(lines) == 1 and lines[0].startswith("#!"))


def _bounds(lines: list[str]) -> tuple[int | None, int | None]:
    start = end = None
    for index, line in enumerate(lines):
        stripped = line.rstrip("\r\n")
        if stripped == BEGIN and start is None:
            start = index
        elif stripped == END and start is not None:
            end = index
            break
    return start, end
