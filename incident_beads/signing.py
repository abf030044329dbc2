"""Signed approvals: `ssh-keygen -Y sign` / `-Y verify` under the namespace `incident-beads`.

Standard library only (the push guard verifies review blocks). A signature counts when it
verifies, for the principal the record names, against an allowed-signers file in git's
`gpg.ssh.allowedSignersFile` format taken from the protected branch, never from the work tree:
an orchestrator that can edit files still cannot add its own key under a person's name.
"""

from __future__ import annotations

import os

from incident_beads.errors import InvalidInput, Refused

NAMESPACE = "incident-beads"


def sign(payload: str, key: str) -> str:
    """Sign `payload` with the private key file `key` (what `--sign` does on a person's machine)."""
    code, out, err = _ssh_keygen(["-Y", "sign", "-f", os.path.expanduser(key), "-n", NAMESPACE],
                                 payload)
    if code != 0 or "BEGIN SSH SIGNATURE" not in out:
        raise Refused(f"ssh-keygen could not sign with {key}: {err.strip() or 'no signature'}",
                      hint="check git config user.signingkey (an SSH key file)")
    return out


def verify(payload: str, signature: str, principal: str, allowed_signers: str) -> str:
    """Why the signature does not hold, or '' when it verifies for `principal`."""
    if not signature.strip():
        return "it is not signed"
    if not allowed_signers.strip():
        return "there is no allowed-signers file to check it against"
    import tempfile  # only verifying needs it: every write command imports this module

    with tempfile.TemporaryDirectory(prefix="incident-beads-verify-") as folder:
        signers = os.path.join(folder, "allowed_signers")
        sig = os.path.join(folder, "payload.sig")
        with open(signers, "w", encoding="utf-8") as handle:
            handle.write(allowed_signers)
        with open(sig, "w", encoding="utf-8") as handle:
            handle.write(signature.strip() + "\n")
        code, _, err = _ssh_keygen(["-Y", "verify", "-f", signers, "-I", principal, "-n",
                                    NAMESPACE, "-s", sig], payload)
    if code == 0:
        return ""
    return f"the signature does not verify for {principal} ({err.strip().splitlines()[-1:]})"


def read_signature(path: str) -> str:
    """The armored signature in file `path` (`ssh-keygen -Y sign` output)."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError as exc:
        raise InvalidInput(f"cannot read the signature {path}: {exc.strerror}") from None
    if "-----BEGIN SSH SIGNATURE-----" not in text:
        raise InvalidInput(f"{path} is not an SSH signature",
                           hint=f"make it with: ssh-keygen -Y sign -f KEY -n {NAMESPACE} FILE")
    return text


def _ssh_keygen(args: list[str], stdin: str) -> tuple[int, str, str]:
    import subprocess  # only in signed mode: the hook pays for it on signed reviews alone

    try:
        done = subprocess.run(["ssh-keygen", *args], input=stdin.encode("utf-8"),
                              capture_output=True, timeout=60)
    except FileNotFoundError:
        raise Refused("ssh-keygen is not installed",
                      hint="install OpenSSH (ssh-keygen) to sign or verify approvals") from None
    return (done.returncode, done.stdout.decode("utf-8", "replace"),
            done.stderr.decode("utf-8", "replace"))


def decision_payload(incident_id: str, condition: str, by: str, note: str, at: str) -> str:
    """The exact text a person signs to decide on an escalation."""
    lines = {"incident-beads": "decision", "incident": incident_id, "condition": condition,
             "decision": "proceed", "by": by, "note": note, "at": at}
    return "".join(f"{name}: {' '.join(str(value).split())}\n" for name, value in lines.items())


def committed_signers(root: str, path: str, refs: list[str]) -> str:
    """The allowed-signers file as committed on the first of `refs` that has it ('' if none)."""
    from incident_beads.process.git import Git

    git = Git(root)
    for ref in refs:
        code, out = git.run("show", f"{ref}:{path}", ok_codes=(0, 128))
        if code == 0:
            return out
    return ""


def signing_key(root: str) -> str:
    """The person's SSH key for `--sign`: git's `user.signingkey`."""
    from incident_beads.process.git import Git

    code, out = Git(root).run("config", "--get", "user.signingkey", ok_codes=(0, 1))
    key = out.strip().removeprefix("key::")
    if code != 0 or not key:
        raise InvalidInput("no SSH signing key is configured",
                           hint="git config user.signingkey ~/.ssh/id_ed25519.pub (or pass "
                                "--signature FILE)")
    # git accepts the public key file; ssh-keygen signs with the private key next to it.
    private = key[:-4] if key.endswith(".pub") else key
    return private
