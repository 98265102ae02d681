"""The benchmark harness as a script; the same as ``survey bench`` (see survey/bench.py).

python bench/harness.py --sizes 1800,100000 --runs 3 [--with-r]
       [--out bench/results.json] [--readme bench/README.md] [--data DIR]
"""

from survey.bench import main

if __name__ == "__main__":
    main()
