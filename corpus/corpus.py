"""Real exports from public repositories: fetch them for local checks, run each one from draft to
reports, and write the table in ``docs/real-exports.md``.

The files are not ours, so none is committed: ``index.json`` names each one (repository, path,
commit, licence) and what a run of its draft gives; ``fetch`` copies them out of local git mirrors
into ``corpus/files/`` (ignored by git); ``run`` drafts and runs each file present as a user would
(``survey codebook EXPORT --out cb.yaml`` then ``survey run EXPORT --codebook cb.yaml``) and
writes the table. ``tests/test_corpus.py`` runs the same on every file present.

    python corpus/corpus.py fetch --mirrors /work/.mirror
    python corpus/corpus.py run --table docs/real-exports.md

A mirror is any git directory of the repository at ``DIR/OWNER+NAME``, e.g. made with
``git clone --bare https://github.com/OWNER/NAME DIR/OWNER+NAME``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
INDEX = HERE / "index.json"
#: Where fetched files go; ``SURVEY_CORPUS`` points elsewhere.
FILES = Path(os.environ.get("SURVEY_CORPUS", HERE / "files"))
#: The steering repository's real samples (read-only), for entries with ``"source": "shared"``.
SAMPLES = Path(os.environ.get("SURVEY_SAMPLES", "/work/shared/samples/exports"))


def load_index() -> list[dict]:
    """The index's entries, in file order."""
    return json.loads(INDEX.read_text(encoding="utf-8"))


def locate(entry: dict) -> Path | None:
    """Where an entry's file is on this machine, or ``None`` when it has not been fetched."""
    folder = SAMPLES if entry.get("source") == "shared" else FILES
    path = folder / entry["file"]
    companion = entry.get("companion")
    if not path.is_file() or (companion and not (folder / companion).is_file()):
        return None
    return path


# ---------------------------------------------------------------------- fetch
def git_dir(mirrors: Path, repo: str) -> Path | None:
    """The git directory of a mirrored repository (``owner+name``), if there is one."""
    root = mirrors / repo.replace("/", "+")
    for candidate in (root, root / ".git", root / "repo", root / "repo" / ".git"):
        probe = subprocess.run(
            ["git", "--git-dir", str(candidate), "rev-parse", "--git-dir"],
            capture_output=True,
            check=False,
        )
        if probe.returncode == 0:
            return candidate
    return None


def fetch(mirrors: Path) -> int:
    """Copy every entry's file (and companion) out of its mirror at its commit; 0 when all
    arrived."""
    FILES.mkdir(parents=True, exist_ok=True)
    missing = 0
    for entry in load_index():
        if entry.get("source") == "shared":
            continue
        where = git_dir(mirrors, entry["repo"])
        if where is None:
            print(f"no mirror of {entry['repo']} under {mirrors}: fetch it first", file=sys.stderr)
            missing += 1
            continue
        pairs = [(entry["path"], entry["file"], entry["commit"])]
        if entry.get("companion"):
            pairs.append((entry["companion_path"], entry["companion"], entry["companion_commit"]))
        for path, name, commit in pairs:
            shown = subprocess.run(
                ["git", "--git-dir", str(where), "show", f"{commit}:{path}"],
                capture_output=True,
                check=False,
            )
            if shown.returncode != 0:
                print(f"{entry['repo']}: {path} not at {commit[:10]}", file=sys.stderr)
                missing += 1
                continue
            target = FILES / name
            partial = target.with_name(target.name + ".part")
            partial.write_bytes(shown.stdout)
            partial.replace(target)
            print(f"{name}: {len(shown.stdout):,} bytes from {entry['repo']}")
    return 1 if missing else 0


# ---------------------------------------------------------------------- run
@dataclass
class Outcome:
    """What drafting and running one export gave."""

    file: str
    returncode: int
    stderr: str = ""
    seconds: float = 0.0
    summary: dict = field(default_factory=dict)
    questions: int = 0
    skipped: int = 0
    published: int = 0  # results.csv items with at least one figure shown (not suppressed)
    out: Path | None = None

    @property
    def quarantined(self) -> dict[str, int]:
        return dict(sorted(self.summary.get("quarantined", {}).items()))

    def observed(self) -> dict:
        """The part of the outcome an index entry's ``expect`` pins."""
        return {
            "rows_in": self.summary.get("rows_in"),
            "analysed": self.summary.get("analysed"),
            "quarantined": self.quarantined,
            "questions": self.questions,
            "skipped": self.skipped,
        }


def survey(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """``survey ARGS`` in a fresh process, as a user runs it: in this environment with
    ``COLUMNS=120`` and no analytics unless ``env`` gives the whole environment."""
    default = {**os.environ, "COLUMNS": "120", "GX_ANALYTICS_ENABLED": "False"}
    return subprocess.run(
        [sys.executable, "-m", "survey", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=default if env is None else env,
        check=False,
    )


def draft_and_run(path: Path, work: Path, *, force: bool = False) -> Outcome:
    """``survey codebook`` then ``survey run`` on one export, in ``work``; wall time of both
    (``force``: write over an earlier draft there)."""
    import pandas as pd

    from survey.codebook import QuestionType, load_codebook

    started = time.perf_counter()
    drafted = survey(
        "codebook", str(path), "--out", "cb.yaml", *(["--force"] if force else []), cwd=work
    )
    if drafted.returncode != 0:
        return Outcome(path.name, drafted.returncode, drafted.stderr)
    ran = survey(
        "run", str(path), "--codebook", "cb.yaml", "--out", "out", "--processed", "processed",
        cwd=work,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    outcome = Outcome(path.name, ran.returncode, ran.stderr, seconds, out=work / "out")
    if ran.returncode != 0:
        return outcome
    outcome.summary = json.loads((work / "out" / "manifest.json").read_text())["summary"]
    book = load_codebook(work / "cb.yaml")
    outcome.skipped = sum(q.type is QuestionType.SKIP for q in book.questions)
    outcome.questions = len(book.questions) - outcome.skipped
    results = pd.read_csv(work / "out" / "results.csv")
    outcome.published = int(results.loc[~results["suppressed"], "question"].nunique())
    return outcome


def markdown_table(rows: list[tuple[dict, Outcome]]) -> str:
    """The docs table: one line per export."""
    lines = [
        "| file | platform | layout | rows in | analysed | quarantined (reason: rows) "
        "| questions analysed / skipped | items with a figure | draft + run |",
        "|---|---|---|---:|---:|---|---:|---:|---:|",
    ]
    for entry, outcome in rows:
        if outcome.returncode != 0:
            error = outcome.stderr.strip().splitlines()[-1:] or ["(no message)"]
            lines.append(
                f"| `{entry['file']}` | {entry['platform']} | {entry['layout']} "
                f"| | | exit {outcome.returncode}: {error[0]} | | | |"
            )
            continue
        summary = outcome.summary
        reasons = ", ".join(f"{k}: {v}" for k, v in outcome.quarantined.items()) or "none"
        lines.append(
            f"| `{entry['file']}` | {entry['platform']} | {entry['layout']} "
            f"| {summary['rows_in']:,} | {summary['analysed']:,} | {reasons} "
            f"| {outcome.questions} / {outcome.skipped} | {outcome.published} "
            f"| {outcome.seconds:.1f} s |"
        )
    return "\n".join(lines) + "\n"


def run(table: Path | None, only: list[str], keep: Path | None = None) -> int:
    """Draft and run every export present; print what differs from the index's ``expect``."""
    rows: list[tuple[dict, Outcome]] = []
    failures = 0
    for entry in load_index():
        if only and entry["file"] not in only:
            continue
        path = locate(entry)
        if path is None:
            print(f"{entry['file']}: not here (run fetch)", file=sys.stderr)
            continue
        if keep is not None:  # each file's draft and outputs kept, to read
            work = keep / entry["file"]
            work.mkdir(parents=True, exist_ok=True)
            outcome = draft_and_run(path, work, force=True)
        else:
            with tempfile.TemporaryDirectory() as scratch:
                outcome = draft_and_run(path, Path(scratch))
        rows.append((entry, outcome))
        if outcome.returncode != 0:
            failures += 1
            print(f"{entry['file']}: exit {outcome.returncode}\n{outcome.stderr}", file=sys.stderr)
            continue
        observed = outcome.observed()
        mark = "" if observed == entry.get("expect") else "  (differs from the index)"
        print(f"{entry['file']}: {outcome.seconds:.1f} s {json.dumps(observed)}{mark}")
    if table is not None:
        table.write_text(TABLE_HEAD + markdown_table(rows) + TABLE_FOOT, encoding="utf-8")
        print(f"wrote {table}")
    return 1 if failures else 0


TABLE_HEAD = """\
# Real exports, from draft to reports

Every export below went `survey codebook EXPORT --out cb.yaml` then
`survey run EXPORT --codebook cb.yaml` with no edit to the draft or the file (exit 0, every table,
the three reports and the processed wave written). None of these files is ours or committed: they
come from public repositories listed with commit and licence in `corpus/index.json`;
`python corpus/corpus.py fetch --mirrors DIR` copies them out of local git mirrors and
`python corpus/corpus.py run --table docs/real-exports.md` writes this table again.
`tests/test_corpus.py` checks the same on every file present, with one figure per file worked out
again with pandas from the export itself. The shapes they hold are reproduced byte by byte in
`tests/shapes.py`, so CI needs none of them.

"Questions analysed" counts the codebook's questions other than `type: skip` (a grid is one
question); "items with a figure" counts the items of `results.csv` (each statement of a grid,
each question otherwise) with at least one figure above the small-cell threshold, so it can
exceed the questions, and a file of five responses has none. Wall time is both commands on
2 cores, including Python's start-up (about 1.5 s each).

"""

TABLE_FOOT = """
What the quarantines are. `incomplete` is responses without a submit date where the export has
one (three of the LimeSurvey files: break-offs by the platform's own marker), else responses
below the draft's `min_answered_share`, which the draft lowers to what the responses that
reached the end of the questionnaire answered, so that optional questions left blank are not
break-offs (`limesurvey_jpfeiffer_results_english.csv`: 0.16; its 43 are respondents who
stopped in the first pages). `speeder`
applies only where durations time the answering: the KoboToolbox file's start and end times
(28 ending before they start, a median of 3.8 hours) switch it off with a warning in the
summary. `duplicate_id` on `spss_cas4077_survey.sav` is one id written twice.

What is slow. The General Social Survey file (765 labelled variables, 1,517 rows) takes about
30 s, most of it drafting and validating 759 questions; every other file takes 3 to 8 s, of
which about 3 s is starting Python twice.

What is skipped (`type: skip`, with the reason in the codebook and the Method sheet): 151 of
the 168 are columns nobody answered in this file (a type cannot be guessed from blanks: give
it one when a later export has answers); the others are Qualtrics display-order columns, SPSS
filter and computed variables, columns holding only missing codes, and file uploads.
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    fetching = commands.add_parser("fetch", help="copy the files out of local git mirrors")
    fetching.add_argument("--mirrors", type=Path, required=True, help="folder of owner+name dirs")
    running = commands.add_parser("run", help="draft and run every file present")
    running.add_argument("--table", type=Path, help="write the markdown table here")
    running.add_argument("--keep", type=Path, help="keep each file's draft and outputs here")
    running.add_argument("files", nargs="*", help="only these index entries")
    args = parser.parse_args(argv)
    if args.command == "fetch":
        return fetch(args.mirrors)
    return run(args.table, args.files, args.keep)


if __name__ == "__main__":
    sys.exit(main())
