"""``python -m bench``: the benchmark harness (:func:`bench.harness.main`), as ``survey bench``."""

from bench.harness import main

__all__ = ["main"]

if __name__ == "__main__":
    main()
