"""Time the installed pre-push hook on a push of one hotfix merge, against `python3 -c pass`.

Builds a repository with 5,000 commits and 500 annotated tags (through `git fast-import`),
installs the guard with `incident hooks install`, makes a tagged hotfix merge, then runs the
hook file exactly as git would (arguments and stdin) and `python3 -c pass`, interleaved, and
prints the medians and their ratio as a markdown section. Target: ratio at most 2.5.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from incident_beads.guard.install import install
from incident_beads.guard.review import ReviewBlock

COMMITS = 5000
TAGS = 500
RUNS = 40
TARGET = 2.5


def git(cwd: Path, *args: str, stdin: bytes | None = None) -> str:
    """Run git quietly and return its stdout."""
    done = subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True, check=True)
    return done.stdout.decode().strip()


def history() -> bytes:
    """A fast-import stream: COMMITS commits on main, an annotated tag every 10th commit."""
    out = []
    every = COMMITS // TAGS
    for n in range(1, COMMITS + 1):
        body = f"line {n}\n".encode()
        message = f"Change number {n}\n".encode()
        out.append(b"commit refs/heads/main\nmark :%d\n" % n)
        out.append(b"committer Ada Oncall <ada@example.com> %d +0000\n" % (1_700_000_000 + n))
        out.append(b"data %d\n%s" % (len(message), message))
        if n > 1:
            out.append(b"from :%d\n" % (n - 1))
        out.append(b"M 644 inline file%d.txt\ndata %d\n%s\n" % (n % 50, len(body), body))
        if n % every == 0:
            note = f"Release {n // every}\n".encode()
            out.append(b"tag v%d.0\nfrom :%d\n" % (n // every, n))
            out.append(b"tagger Ada Oncall <ada@example.com> %d +0000\n" % (1_700_000_000 + n))
            out.append(b"data %d\n%s\n" % (len(note), note))
    return b"".join(out)


def build(tmp: Path) -> tuple[Path, list[str], bytes]:
    """The repository, the hook's command line and its stdin for one hotfix push."""
    work, upstream = tmp / "work", tmp / "upstream.git"
    git(tmp, "init", "-q", "-b", "main", str(work))
    git(work, "fast-import", "--quiet", stdin=history())
    git(work, "checkout", "-q", "main")
    git(tmp, "clone", "-q", "--bare", str(work), str(upstream))
    git(work, "remote", "add", "origin", str(upstream))
    git(work, "fetch", "-q", "origin")
    install(work)
    old = git(work, "rev-parse", "HEAD")
    git(work, "checkout", "-q", "-b", "hotfix/incident-bd-42")
    (work / "fix.txt").write_text("fixed\n")
    git(work, "add", "fix.txt")
    git(work, "commit", "-q", "-m", "Fix the outage\n\nIncident: bd-42")
    git(work, "checkout", "-q", "main")
    git(work, "merge", "-q", "--no-ff", "--no-edit", "hotfix/incident-bd-42")
    merge = git(work, "rev-parse", "HEAD")
    fields = {"incident": "bd-42", "hotfix": "bd-42.1", "reviewer": "grace",
              "commit": git(work, "rev-parse", "hotfix/incident-bd-42"), "verdict": "approved",
              "fixes-issue": "yes", "adds-issues": "no", "reviewed-at": "2026-01-15T10:00:00Z"}
    git(work, "tag", "-a", "hotfix-bd-42", "-m",
        f"Hotfix for incident bd-42\n\n{ReviewBlock(fields).render()}", merge)
    tag = git(work, "rev-parse", "refs/tags/hotfix-bd-42")
    zero = "0" * len(old)
    stdin = (f"refs/heads/main {merge} refs/heads/main {old}\n"
             f"refs/tags/hotfix-bd-42 {tag} refs/tags/hotfix-bd-42 {zero}\n").encode()
    hook = Path(git(work, "rev-parse", "--git-path", "hooks"))
    hook = (work / hook / "pre-push") if not hook.is_absolute() else hook / "pre-push"
    return work, [str(hook), "origin", str(upstream)], stdin


def feature_push(stdin: bytes) -> bytes:
    """The same push aimed at an unprotected branch: what every ordinary push pays."""
    return stdin.replace(b"refs/heads/main", b"refs/heads/feature").split(b"\n", 1)[0] + b"\n"


def timed(command: list[str], cwd: Path, stdin: bytes | None, env: dict[str, str]) -> float:
    """Seconds one run takes; the run must succeed."""
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, input=stdin, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> int:
    """Build, measure, print the report; exit 1 when the target is missed."""
    with tempfile.TemporaryDirectory(prefix="bench-hook-") as name:
        tmp = Path(name)
        env = dict(os.environ, HOME=str(tmp), GIT_CONFIG_NOSYSTEM="1",
                   GIT_AUTHOR_NAME="Ada Oncall", GIT_AUTHOR_EMAIL="ada@example.com",
                   GIT_COMMITTER_NAME="Ada Oncall", GIT_COMMITTER_EMAIL="ada@example.com")
        os.environ.update(env)
        started = time.perf_counter()
        work, hook, stdin = build(tmp)
        built = time.perf_counter() - started
        python3 = shutil.which("python3") or sys.executable
        cases = {
            "pre-push hook, one hotfix merge + its tag": (hook, stdin),
            "pre-push hook, an ordinary feature-branch push": (hook, feature_push(stdin)),
            "`python3 -c pass` (the hook's interpreter)": ([sys.executable, "-c", "pass"], None),
            "`python3 -c pass` (the first `python3` on PATH)": ([python3, "-c", "pass"], None),
            "`python3 -c pass` (the interpreter outside the virtualenv)":
                ([getattr(sys, "_base_executable", sys.executable), "-c", "pass"], None),
            "`python3 -I -S -c pass` (bare interpreter start)":
                ([sys.executable, "-I", "-S", "-c", "pass"], None),
        }
        samples: dict[str, list[float]] = {key: [] for key in cases}
        for _ in range(3):  # warm the caches
            for command, data in cases.values():
                timed(command, work, data, env)
        for _ in range(RUNS):
            for key, (command, data) in cases.items():
                samples[key].append(timed(command, work, data, env))
    medians = {key: statistics.median(values) * 1000 for key, values in samples.items()}
    hook_ms = medians["pre-push hook, one hotfix merge + its tag"]
    floor_ms = medians["`python3 -c pass` (the hook's interpreter)"]
    ratio = hook_ms / floor_ms
    print("## Push guard (bench_hook.py)\n")
    print(f"Repository: {COMMITS} commits, {TAGS} annotated tags (built in {built:.1f} s); "
          f"median of {RUNS} interleaved runs. Target: hook at most {TARGET}x the floor.\n")
    print("| what | median |\n|---|---|")
    for key, value in medians.items():
        print(f"| {key} | {value:.1f} ms |")
    bare_ms = medians["`python3 -I -S -c pass` (bare interpreter start)"]
    print(f"\nRatio hook / `python3 -c pass` (same interpreter): **{ratio:.2f}x** "
          f"({'meets' if ratio <= TARGET else 'misses'} the {TARGET}x target); "
          f"hook / bare interpreter start: {hook_ms / bare_ms:.2f}x. The hook is `sh`, "
          "`mktemp`, `cat`, the interpreter started `-I -S`, three git calls (`log`, "
          "`for-each-ref`, `cat-file` for the tag's review block) and `rm`.")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
