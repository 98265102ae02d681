"""Synthetic demo exports of the reference questionnaire, with planted effects and planted mess.

:func:`write_demo` writes three yearly waves of the Professional Learning Needs Survey as a
survey platform would export them: ``2024.csv`` and ``2026.csv`` in the Qualtrics layout (three
header rows; the 2026 file in Windows-1252), ``2025.xlsx`` in the SurveyMonkey layout (two
header rows, one column per option of a multi-select, no progress or duration). Beside them it
writes a copy of the codebook, ``ground_truth.yaml`` (the planted effects with their intended
sizes, and for every planted kind of mess the respondent ids it was planted in) and a
``README.md`` for people.

No real person answered any of it. Every row carries the marker ``SYNTHETIC-DEMO``
(Qualtrics ``ExternalReference``, SurveyMonkey ``Custom Data 1``); e-mail addresses are at
``example.org``/``.com``/``.net``, IP addresses in the documentation ranges and phone numbers in
the fictional 555-01xx block.

How a wave is made
------------------
1. Respondents. With ``n=None`` a frame of 1,800 people is built whose sector and region counts
   are exactly the codebook's ``frame:`` margins; each wave draws 600-900 of them with uneven
   propensity (school staff and the four northern regions answer less, public-library and
   Mainland/Southwest staff more). With ``n=N`` a wave has exactly ``N`` rows, drawn from the
   same respondent mix.
2. Answers, vectorised over respondents: option codes drawn from group-wise probability tables,
   the importance ratings from discretised normal distributions tuned to the intended effect
   sizes, confidence loosely tied to importance. Each respondent has a level of importance and
   one of confidence that all topics share (a Gaussian copula), so that each grid is a scale
   with a Cronbach's alpha of about 0.85, as real learning-needs grids have; every topic's
   distribution in every group is still exactly the planted one.
3. Mess, planted in small, disjoint sets of rows (a handful each at the default size, scaled
   with ``n``), each recorded in the ground truth.
4. Rendering to the platform's layout (labels read from the codebook) and writing. Files are
   written atomically; the workbook is written by a small deterministic XLSX writer so that the
   bytes are identical on every run.

Where things are
----------------
In the order a wave is made:

- :mod:`survey.demo.instrument`: the reference codebook, read as plain data;
- :mod:`survey.demo.respondents`: the frame, who answers, their names and e-mail addresses;
- :mod:`survey.demo.effects`: the planted effects and their sizes (**add an effect here**);
- :mod:`survey.demo.answers`: the complete answers, drawn with those effects;
- :mod:`survey.demo.mess`: the planted mess, kind by kind (**add a planted problem here**);
- :mod:`survey.demo.wave`: one wave, step by step, with the platform's ids and row order;
- :mod:`survey.demo.writers`: the export layouts, Qualtrics CSV and SurveyMonkey XLSX (**add an
  export layout here**);
- :mod:`survey.demo.truth`: ``ground_truth.yaml`` and ``README.md``;
- :mod:`survey.demo.arrays`: the vectorised draws and text arrays they share.

:func:`write_demo`, below, runs them for every wave and writes the files.

Examples
--------
>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> [path.name for path in write_demo(folder, n=60)]
['codebook.yaml', '2024.csv', '2025.xlsx', '2026.csv', 'ground_truth.yaml', 'README.md']
>>> truth = yaml.safe_load((folder / "ground_truth.yaml").read_text(encoding="utf-8"))
>>> truth["synthetic"], truth["waves"]["2025"]["rows"]
(True, 60)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from survey.demo.instrument import read_instrument
from survey.demo.respondents import frame_people
from survey.demo.truth import dump_yaml, ground_truth_document, render_readme
from survey.demo.wave import MIN_ROWS, make_wave
from survey.demo.writers import DEMO_MARKER, wave_writer
from survey.writing import atomic_write, atomic_write_bytes

__all__ = ["DEMO_MARKER", "write_demo"]

#: Called with short messages while the demo is written (``"wave 2024: 812 rows"``).
Progress = Callable[[str], None]


def write_demo(
    out_dir: Path,
    *,
    n: int | None = None,
    seed: int = 20240301,
    progress: Progress | None = None,
    waves: Sequence[str] | None = None,
) -> list[Path]:
    """Write the synthetic demo waves, the codebook, the ground truth and a README.

    Parameters
    ----------
    out_dir
        Folder to write into (created if missing). Existing files of the same names are
        replaced atomically.
    n
        Rows per wave. ``None`` (the default) draws 600-900 respondents per wave from a frame
        of 1,800 people with the codebook's frame margins; an integer gives exactly that many
        rows per wave (at least 40), drawn from the same respondent mix, with the mess scaled
        in proportion.
    seed
        Seed of the random generator; the same seed gives the same bytes.
    progress
        Called with short messages (``"wave 2024: 812 rows"``).
    waves
        Only these waves (ids), e.g. ``["2024"]`` for one large wave to benchmark; the others
        are not written (the codebook still lists them). Each wave's bytes do not depend on
        which others are written.

    Returns
    -------
    list of Path
        The files written: ``codebook.yaml``, one file per wave in codebook order
        (``2024.csv``, ``2025.xlsx``, ``2026.csv``), ``ground_truth.yaml``, ``README.md``.

    Examples
    --------
    >>> import tempfile
    >>> paths = write_demo(Path(tempfile.mkdtemp()), n=50, progress=print)
    wave 2024: 50 rows
    wave 2025: 50 rows
    wave 2026: 50 rows
    >>> paths[1].read_text(encoding="utf-8").splitlines()[0][:30]
    'StartDate,EndDate,Status,IPAdd'
    """
    if n is not None and n < MIN_ROWS:
        raise ValueError(f"n must be at least {MIN_ROWS} so that the planted mess stays a minority")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    raw = (files("survey") / "reference" / "codebook.yaml").read_bytes()
    instrument = read_instrument(yaml.safe_load(raw))
    written = [atomic_write_bytes(out_dir / "codebook.yaml", raw)]
    frame = frame_people(instrument, np.random.default_rng([seed, 0])) if n is None else None
    truths: dict[str, dict[str, Any]] = {}
    known = [spec.id for spec in instrument.waves]
    unknown = sorted(set(waves or []) - set(known))
    if unknown:
        raise ValueError(f"waves: {', '.join(unknown)} not in the codebook ({', '.join(known)})")
    for position, spec in enumerate(instrument.waves):
        if waves is not None and spec.id not in waves:
            continue
        wave = make_wave(instrument, spec, position, seed, frame, n)
        written.append(atomic_write(out_dir / spec.file, wave_writer(instrument, wave)))
        truths[spec.id] = wave.truth
        if progress is not None:
            progress(f"wave {spec.id}: {wave.truth['rows']} rows")
    document = ground_truth_document(instrument, truths, seed=seed, n=n)
    written.append(atomic_write_bytes(out_dir / "ground_truth.yaml", dump_yaml(document)))
    readme = render_readme(instrument, truths, n)
    written.append(atomic_write_bytes(out_dir / "README.md", readme))
    return written
