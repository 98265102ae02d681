"""The project's benchmarks, outside the installed package (a clone's ``bench/``).

:mod:`bench.harness` times every stage of the flow on demo waves (``survey bench``,
``python -m bench``); :mod:`bench.dashboard` times a filter change on every page of the
dashboard (``python -m bench.dashboard ROOT``). ``engine.py``, ``engine.R`` and ``survey.R``
are the engine's scripts and the R side of the comparison; ``README.md`` holds the results.
"""

__all__: list[str] = []
