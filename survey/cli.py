"""The ``survey`` command line.

Exit codes: 0 done (rows may have been quarantined: the summary says how many and why); 1 the
data could not be accepted (one line on stderr naming the file and the fix); 2 wrong usage.

Heavy libraries (pandas, great-expectations) are imported inside the commands so that
``survey --help`` starts at once.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from survey.errors import CodebookError, DataError, SurveyError
from survey.rules import Reason
from survey.runtime import Runtime, frozen_at_exit
from survey.writing import atomic_write_text

if TYPE_CHECKING:
    from survey.codebook import Codebook, Wave
    from survey.pipeline import WaveRun

__all__ = ["app", "main"]

DEFAULT_CODEBOOK = Path("data/raw/codebook.yaml")
DEFAULT_EXPORT = Path("data/raw/2024.csv")
DEFAULT_REPORTS = Path("reports")
DEFAULT_PROCESSED = Path("data/processed")

app = typer.Typer(
    name="survey",
    help="Learning-needs survey toolkit: validate, clean and report a yearly member survey.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
stdout = Console()
stderr = Console(stderr=True)


def main() -> None:
    """The ``survey`` command (the console script and ``python -m survey``), its objects frozen
    out of the garbage collector when it ends (:func:`survey.runtime.frozen_at_exit`)."""
    with frozen_at_exit():
        app(prog_name="survey")


@contextmanager
def _user_errors(what: str) -> Iterator[None]:
    """Turn the toolkit's errors into one line on stderr and exit code 1 (no traceback)."""

    try:
        yield
    except SurveyError as error:
        stderr.print(f"[bold red]error:[/] {error}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    except (typer.Exit, typer.TyperException, KeyboardInterrupt):
        raise  # wrong usage is click's to report (exit 2), not an unexpected failure
    except Exception as error:
        if os.environ.get("SURVEY_DEBUG"):
            raise
        stderr.print(
            f"[bold red]error:[/] {what} failed unexpectedly: {type(error).__name__}: {error} "
            "(set SURVEY_DEBUG=1 for details, and please report it)",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(1) from None


def _load_codebook(path: Path) -> Codebook:
    # imported when the command runs, so that `survey --help` starts in under 0.5 s
    from survey.codebook import load_codebook

    if path == DEFAULT_CODEBOOK and not path.exists():
        raise CodebookError(
            f"{path}: codebook not found; run `survey demo` to write the demo data here, "
            "or pass --codebook FILE"
        )
    return load_codebook(path)


def _waves(
    codebook: Codebook, raw: list[Path] | None, wave_id: str | None, layout: str | None = None
) -> list[Wave]:
    # imported when the command runs, so that `survey --help` starts in under 0.5 s
    from survey.codebook import Layout
    from survey.waves import wave_for_file

    if layout is not None:
        if layout not in {item.value for item in Layout}:
            choices = ", ".join(item.value for item in Layout)
            raise typer.BadParameter(f"{layout!r} is not a layout; expected one of {choices}")
        if not raw:
            raise typer.BadParameter("--layout applies to RAW files given on the command line")
        return [
            wave_for_file(codebook, path, wave_id, layout=Layout(layout))
            for path in _one_wave(raw, wave_id)
        ]
    if raw:
        return [wave_for_file(codebook, path, wave_id) for path in _one_wave(raw, wave_id)]
    if wave_id is not None:
        try:
            return [codebook.wave(wave_id)]
        except KeyError:
            known = ", ".join(wave.id for wave in codebook.waves) or "none"
            raise DataError(
                f"{codebook.source}: no wave {wave_id!r} in the codebook (waves: {known})"
            ) from None
    if not codebook.waves:
        raise DataError(f"{codebook.source}: the codebook lists no waves; give a RAW file")
    return list(codebook.waves)


def _one_wave(raw: list[Path], wave_id: str | None) -> list[Path]:
    if wave_id is not None and len(raw) > 1:
        raise typer.BadParameter("--wave names one wave; give one RAW file with it")
    return raw


def _out_dir(out: Path | None, wave: str, several: bool) -> Path:
    if out is None:
        return DEFAULT_REPORTS / wave
    return out / wave if several else out


def _progress() -> tuple[Callable[[str], None], Callable[[], None]]:
    """A status line on stderr for long steps, and a function that ends it."""
    if not stderr.is_terminal:
        return (lambda message: stderr.print(f"… {message}", highlight=False)), (lambda: None)
    status = stderr.status("starting")
    status.start()
    return (lambda message: status.update(message)), status.stop


RawFiles = Annotated[
    list[Path] | None,
    typer.Argument(help="Raw export(s); default: every wave listed in the codebook."),
]
CodebookOption = Annotated[
    Path, typer.Option("--codebook", "-c", help="The codebook (YAML).", dir_okay=False)
]
WaveOption = Annotated[
    str | None, typer.Option("--wave", "-w", help="Wave name (default: the file's name).")
]
LayoutOption = Annotated[
    str | None,
    typer.Option(
        "--layout",
        help="Read the RAW file(s) as this layout (qualtrics, surveymonkey, limesurvey, spss, "
        "csv) instead of the codebook's wave layout or the one detected.",
    ),
]
OutOption = Annotated[
    Path | None,
    typer.Option("--out", "-o", help="Output folder (default: reports/<wave>/).", file_okay=False),
]


@app.command()
def demo(
    n: Annotated[
        int | None,
        typer.Option(
            "--n", min=1, help="Responses per wave (default: drawn from a frame of 1,800)."
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 20240301,
    out: Annotated[
        Path, typer.Option("--out", "-o", file_okay=False, help="Where to write.")
    ] = Path("data/raw"),
    waves: Annotated[
        str | None,
        typer.Option(
            "--waves", help="Only these waves, comma-separated (e.g. 2024 for one large wave)."
        ),
    ] = None,
) -> None:
    """Write SYNTHETIC raw exports of three waves and their codebook."""
    with _user_errors("survey demo"):
        # imported when the command runs, so that `survey --help` starts in under 0.5 s
        from survey.demo import write_demo

        chosen = [w.strip() for w in waves.split(",") if w.strip()] if waves else None
        say, done = _progress()
        try:
            written = write_demo(out, n=n, seed=seed, progress=say, waves=chosen)
        except ValueError as error:  # --n too small, --waves not in the codebook
            raise typer.BadParameter(str(error)) from None
        finally:
            done()
        for path in written:
            stdout.print(f"wrote {path}", highlight=False)


@app.command("validate")
def validate_command(
    raw: RawFiles = None,
    codebook: CodebookOption = DEFAULT_CODEBOOK,
    wave: WaveOption = None,
    out: OutOption = None,
    layout: LayoutOption = None,
) -> None:
    """Validate raw export(s) and write validation.json and validation.html only."""
    with _user_errors("survey validate"):
        # imported when the command runs, so that `survey --help` starts in under 0.5 s
        from survey.pipeline import validate_wave
        from survey.validation import Action, write_report

        book = _load_codebook(codebook)
        waves = _waves(book, raw, wave, layout)
        say, done = _progress()
        problems: list[str] = []
        table = Table(title="Validation")
        for column in ("Wave", "Rows", "Checks", "Failed", "Stops the run"):
            table.add_column(column, justify="right" if column != "Wave" else "left")
        try:
            for item in waves:
                report, _, _, _ = validate_wave(book, item, progress=say)
                written = write_report(report, _out_dir(out, item.id, len(waves) > 1))
                stops = report.failures(Action.STOP)
                table.add_row(
                    item.id,
                    str(report.rows),
                    str(len(report.checks)),
                    str(len(report.failures())),
                    ", ".join(sorted({check.reason for check in stops})) or "no",
                )
                if stops:
                    problems.append(
                        f"{item.file}: {len(stops)} structural problem(s), see {written[1]}"
                    )
        finally:
            done()
        stdout.print(table)
        if problems:
            raise DataError("; ".join(problems))


@app.command("codebook")
def codebook_command(
    export: Annotated[
        Path,
        typer.Argument(
            help="An export of the questionnaire, in any supported layout.", dir_okay=False
        ),
    ] = DEFAULT_EXPORT,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            dir_okay=False,
            help="Where to write it (default: <export name>.codebook.yaml).",
        ),
    ] = None,
    layout: Annotated[
        str | None,
        typer.Option(
            "--layout",
            help="The export's layout (qualtrics, surveymonkey, limesurvey, spss, csv); "
            "detected when not given.",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite an existing --out file.")
    ] = False,
) -> None:
    """Draft a codebook for a new questionnaire from one of its exports.

    The draft holds question ids and text, guessed types, options, scales, missing codes,
    breakdowns, quality thresholds and personal-data columns. `survey run` runs it as written
    (unweighted, or with the export's own weight column if it has one); read it and correct
    the guesses before trusting results.
    """
    # imported when the command runs, so that `survey --help` starts in under 0.5 s
    from survey.codebook import Layout

    if layout is not None and layout not in {item.value for item in Layout}:
        choices = ", ".join(item.value for item in Layout)
        raise typer.BadParameter(f"{layout!r} is not a layout; expected one of {choices}")
    with _user_errors("survey codebook"):
        # imported when the command runs, so that `survey --help` starts in under 0.5 s
        from survey.draft import draft_codebook
        from survey.io import read_export

        if export == DEFAULT_EXPORT and not export.exists():
            raise DataError(
                f"{export}: no export to draft from; give EXPORT, or run `survey demo` first"
            )
        target = out if out is not None else Path(f"{export.stem}.codebook.yaml")
        if target.exists() and not force:
            raise DataError(
                f"{target}: already exists; pass --force to overwrite it, or --out another file"
            )
        say, done = _progress()
        try:
            say(f"reading {export.name}")
            raw = read_export(export, layout=layout)
            say(f"guessing {raw.frame.shape[1]} columns of {raw.rows} responses")
            draft = draft_codebook(raw, codebook_path=target)
            text = draft.to_yaml()
        finally:
            done()
        atomic_write_text(target, text)
        counts = ", ".join(f"{count} {kind}" for kind, count in draft.type_counts().items())
        total = sum(draft.type_counts().values())
        rules = draft.rules
        skipped = draft.skipped
        lines = [
            f"{export.name}: {raw.layout.value} export, {raw.rows} responses",
            "respondent id: "
            + (draft.respondent_id or "none in the export: responses numbered in file order"),
            f"questions: {total} ({counts})"
            + (
                f"; {len(skipped)} kept but not analysed (type: skip, see the draft): "
                + ", ".join(skipped[:6])
                + (" ..." if len(skipped) > 6 else "")
                if skipped
                else ""
            ),
            "breakdowns: "
            + (", ".join(draft.document["dimensions"]) or "none guessed (pick with --by)"),
            "personal data (dropped before anything is saved): "
            + (", ".join(draft.personal_data) or "none found"),
        ]
        if draft.weights:
            lines.append(
                f"weight column: {draft.weights[0]} (weighting.base_weight)"
                + (f"; also {', '.join(draft.weights[1:])}" if len(draft.weights) > 1 else "")
            )
        if draft.left_out:
            lines.append(f"platform columns left out: {', '.join(draft.left_out)}")
        aside = ", ".join(f"{rule} {count}" for rule, count in rules.by_rule.items() if count)
        lines.append(
            f"quality rules would set aside {rules.set_aside} of {rules.rows} rows"
            + (f" ({aside})" if aside else "")
        )
        lines += [note for note in rules.relaxed]
        lines += [
            f"wrote {target} (a draft: check the types, scales and options)",
            f"next: survey run {export} --codebook {target}",
        ]
        for line in lines:
            stdout.print(line, highlight=False, soft_wrap=True, markup=False)


def _with_breakdowns(book: Codebook, by: str, *, weighted: bool) -> Codebook:
    """The codebook with ``by`` (comma-separated question ids) as its dimensions, for a run."""
    # imported when the command runs, so that `survey --help` starts in under 0.5 s
    from pydantic import ValidationError

    from survey.codebook import Codebook, QuestionType

    names = list(dict.fromkeys(name.strip() for name in by.split(",") if name.strip()))
    if not names:
        raise typer.BadParameter("--by needs question ids, e.g. --by sector,role")
    singles = ", ".join(q.id for q in book.questions_of(QuestionType.SINGLE)) or "none"
    for name in names:
        try:
            question = book.question(name)
        except KeyError:
            raise CodebookError(
                f"--by {name}: {book.source} has no question {name!r}; "
                f"its single-choice questions are {singles}"
            ) from None
        if question.type is not QuestionType.SINGLE:
            raise CodebookError(
                f"--by {name}: a {question.type.value} question in {book.source}; breakdowns "
                f"are single-choice questions: {singles}"
            )
    update: dict[str, object] = {"dimensions": names}
    margins = [name for name in book.frame if name not in names]
    if margins and weighted:
        raise CodebookError(
            f"--by {by}: {book.source} weights by {', '.join(book.frame)} (its frame margins), "
            "so --by must include them; add them, or pass --unweighted"
        )
    if margins:
        update["frame"] = {name: counts for name, counts in book.frame.items() if name in names}
    try:
        Codebook.model_validate(book.model_dump() | update)
    except ValidationError as error:
        problem = str(error.errors()[0]["msg"]).removeprefix("Value error, ")
        raise CodebookError(f"--by {by}: {problem}") from None
    return book.model_copy(update=update)


@app.command()
def run(
    raw: RawFiles = None,
    codebook: CodebookOption = DEFAULT_CODEBOOK,
    wave: WaveOption = None,
    out: OutOption = None,
    layout: LayoutOption = None,
    processed: Annotated[
        Path, typer.Option("--processed", file_okay=False, help="Where processed waves go.")
    ] = DEFAULT_PROCESSED,
    unweighted: Annotated[
        bool,
        typer.Option(
            "--unweighted",
            help="Do not weight: every weight is 1.0 and only unweighted estimates are written.",
        ),
    ] = False,
    jobs: Annotated[
        int,
        typer.Option(
            "--jobs", "-j", min=1, help="Waves processed at once (default: up to 2 cores)."
        ),
    ] = min(2, os.cpu_count() or 1),
    serial: Annotated[
        bool,
        typer.Option(
            "--serial",
            help="Run everything in one process and one thread, for debugging (overrides --jobs).",
        ),
    ] = False,
    force: Annotated[
        bool,
        typer.Option("--force", help="Process every wave again, even those unchanged."),
    ] = False,
    template: Annotated[
        Path | None,
        typer.Option(
            "--template",
            exists=True,
            dir_okay=False,
            help="A .pptx whose slide master the deck uses (the association's own).",
        ),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            help="Break results down by these single-choice questions (ids, comma-separated) "
            "instead of the codebook's dimensions.",
        ),
    ] = None,
) -> None:
    """Run the whole pipeline (import, validate, clean, weight, estimate, report) into
    reports/<wave>/.

    Several waves are one run: if any wave fails, no wave's files are written.
    """
    with _user_errors("survey run"), Runtime(jobs=jobs, serial=serial) as runtime:
        if raw is not None and len(raw) == 1:
            runtime.start_sidecar()  # before the flow's imports, which it spends on its own
        # imported when the command runs, so that `survey --help` starts in under 0.5 s
        from survey.pipeline import run_waves

        started = time.perf_counter()
        book = _load_codebook(codebook)
        if by is not None:
            book = _with_breakdowns(book, by, weighted=not unweighted)
        waves = _waves(book, raw, wave, layout)
        say, done = _progress()
        try:
            runs = run_waves(
                book,
                waves,
                out_dirs=[_out_dir(out, item.id, len(waves) > 1) for item in waves],
                processed_dir=processed,
                progress=say,
                weighted=not unweighted,
                template=template,
                force=force,
                steps=runtime.steps(),
            )
        finally:
            done()
        stdout.print(_summary(runs))
        for finished in runs:
            for note in finished.notes:
                stdout.print(
                    f"[bold yellow]note:[/] wave {finished.wave}: {note}",
                    highlight=False,
                    soft_wrap=True,
                )
        for finished in runs:
            folder = finished.outputs[0].parent
            parquet = next((p for p in finished.outputs if p.suffix == ".parquet"), None)
            reused = " (unchanged, reused)" if finished.cached else ""
            stdout.print(f"wave {finished.wave}: {folder}/ and {parquet}{reused}", highlight=False)
        trends = [p for item in runs for p in item.outputs if p.name == "trends.csv"]
        folders = {item.outputs[0].parent for item in runs}
        across = [p for p in trends if p.parent not in folders]  # beside the wave folders
        if trends:
            stdout.print(
                f"changes between waves: {(across or trends)[-1]}"
                + (" (each later wave has its own history in its folder)" if across else ""),
                highlight=False,
            )
        stdout.print(f"done in {time.perf_counter() - started:.1f} s", highlight=False)


#: The benchmark harness, in a clone's ``bench/``: not part of the installed package.
BENCH_HARNESS = Path("bench") / "harness.py"


def _bench_harness() -> ModuleType:
    """The harness of the clone in the current folder (``bench/harness.py``), imported from
    there; exit 1 with one line on stderr when there is none (an installed package)."""
    path = Path.cwd() / BENCH_HARNESS
    spec = importlib.util.spec_from_file_location("bench.harness", path) if path.is_file() else None
    if spec is None or spec.loader is None:
        stderr.print(
            f"[bold red]error:[/] survey bench: no {BENCH_HARNESS} in {Path.cwd()}: the benchmarks "
            "run from a clone of the project; cd into the clone and run `survey bench` (or "
            "`python -m bench`) there",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(1)
    harness = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(harness)
    return harness


@app.command("bench")
def bench_command(
    sizes: Annotated[
        str,
        typer.Option(
            "--sizes", help="Respondents per demo wave, comma-separated (1800,100000,1000000)."
        ),
    ] = "1800",
    runs: Annotated[
        str, typer.Option("--runs", help="Runs per size: one number, or one per size (3,3,1).")
    ] = "3",
    with_r: Annotated[
        bool,
        typer.Option("--with-r", help="Also time bench/survey.R (R's survey) and compare numbers."),
    ] = False,
    r_max: Annotated[
        int,
        typer.Option("--r-max", min=1, help="With --with-r: run R only up to this wave size."),
    ] = 100_000,
    cli_max: Annotated[
        int,
        typer.Option(
            "--cli-max", min=0, help="Also time `survey run` itself up to this wave size."
        ),
    ] = 10_000,
    data: Annotated[
        Path | None,
        typer.Option("--data", file_okay=False, help="Where the demo waves are written (reused)."),
    ] = None,
    out: Annotated[
        Path, typer.Option("--out", dir_okay=False, help="JSON list the record is appended to.")
    ] = Path("bench/results.json"),
    readme: Annotated[
        Path, typer.Option("--readme", dir_okay=False, help="Markdown whose bench table is redone.")
    ] = Path("bench/README.md"),
) -> None:
    """Time every stage (import to the three reports) and the peak memory on demo waves.

    Each size's wave is written once by the demo generator; each run is a fresh process.
    Minimum and median per stage go to --out and to the table between the bench markers of
    --readme (each only if its folder exists).

    Runs from the root of a clone of the project: the harness is its bench/harness.py.
    """
    with _user_errors("survey bench"):
        harness = _bench_harness()
        try:
            runs_per_size = [int(part) for part in runs.split(",")]
        except ValueError:
            raise typer.BadParameter(f"--runs {runs}: expected whole numbers") from None
        record = harness.run_bench(
            harness.parse_sizes(sizes),
            runs=runs_per_size,
            with_r=with_r,
            r_max=r_max,
            cli_max=cli_max,
            data_dir=data,
            out=out if out.parent.is_dir() else None,
            readme=readme if readme.parent.is_dir() else None,
            progress=lambda message: stderr.print(message, highlight=False),
        )
        stdout.print(harness.readme_table(record), highlight=False, soft_wrap=True)


#: The Streamlit app, shipped inside the package (``survey/dashboard/``).
DASHBOARD_APP = Path(__file__).resolve().parent / "dashboard" / "app.py"


@app.command("dashboard")
def dashboard_command(
    public: Annotated[
        bool,
        typer.Option(
            "--public",
            help="Only the published (suppressed) tables: no respondent-level data, no upload.",
        ),
    ] = False,
    reports: Annotated[
        Path, typer.Option("--reports", file_okay=False, help="The folder `survey run` wrote.")
    ] = DEFAULT_REPORTS,
    processed: Annotated[
        Path, typer.Option("--processed", file_okay=False, help="Processed waves (not --public).")
    ] = DEFAULT_PROCESSED,
    codebook: CodebookOption = DEFAULT_CODEBOOK,
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 8501,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
) -> None:
    """Start the dashboard in the browser (Streamlit) over the waves `survey run` wrote."""

    with _user_errors("survey dashboard"):
        _load_codebook(codebook)
        waves = sorted(p.parent.name for p in reports.glob("*/results.csv"))
        if not waves:
            raise DataError(
                f"{reports}: no finished wave (no */results.csv); run `survey run` first"
            )
        if not DASHBOARD_APP.is_file():
            raise DataError(
                f"{DASHBOARD_APP}: the dashboard app is missing from this installation; "
                "install the toolkit again (`pip install --force-reinstall library-survey`)"
            )
        environment = os.environ | {
            "SURVEY_REPORTS": str(reports.resolve()),
            "SURVEY_PROCESSED": str(processed.resolve()),
            "SURVEY_CODEBOOK": str(codebook.resolve()),
            "SURVEY_PUBLIC": "1" if public else "0",
        }
        command = [
            sys.executable, "-m", "streamlit", "run", str(DASHBOARD_APP),
            "--server.port", str(port), "--server.address", host,
            "--server.headless", "true", "--browser.gatherUsageStats", "false",
            "--client.toolbarMode", "minimal",
        ]  # fmt: skip
        mode = "public" if public else "full"
        stderr.print(
            f"dashboard ({mode}) on http://{host}:{port} for waves {', '.join(waves)}; "
            "Ctrl-C stops it",
            highlight=False,
        )
        try:
            code = subprocess.call(command, env=environment)
        except KeyboardInterrupt:
            code = 0
        if code:
            raise typer.Exit(code)


def _summary(runs: list[WaveRun]) -> Table:
    """Rows in, analysed and quarantined by reason: one column per wave."""

    reasons = sorted(
        {reason for item in runs for reason in item.quarantined},
        key=lambda reason: (Reason.precedence(reason), reason),
    )
    table = Table(title="Rows in = analysed + quarantined")
    table.add_column("")
    for item in runs:
        table.add_column(item.wave, justify="right")
    table.add_row("Rows in", *[str(item.rows_in) for item in runs])
    table.add_row("Analysed", *[str(item.analysed) for item in runs], style="bold")
    table.add_row("Quarantined", *[str(item.quarantined_total) for item in runs])
    for reason in reasons:
        table.add_row(f"  {reason}", *[str(item.quarantined.get(reason, 0)) for item in runs])
    table.add_row("Values made missing or recoded", *[str(item.flagged) for item in runs])
    if any(item.cached for item in runs):
        table.add_row(
            "Processed", *["no: unchanged, reused" if item.cached else "yes" for item in runs]
        )
    if any(item.weighting for item in runs):
        table.add_row(
            "Design effect of weighting",
            *[
                f"{item.weighting['design_effect']:.2f}" if item.weighting else "unweighted"
                for item in runs
            ],
        )
    return table
