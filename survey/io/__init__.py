"""Reading survey-platform exports into one raw frame, untouched.

:func:`read_export` reads a file in any supported layout and returns a :class:`RawExport`: a
DataFrame of text exactly as exported (empty cells are missing; nothing else is changed), with
the platform's metadata columns under the toolkit's names (``respondent_id``, ``start_date``,
``email`` ...). :func:`map_to_codebook` then names the question columns by the codebook.

The layouts are :class:`~survey.codebook.Layout`, re-exported here: a codebook names each
wave's layout, and the codebook is the layer below this one (it imports nothing of it).
"""

from survey.codebook import Layout
from survey.io.columns import ColumnMap, map_to_codebook
from survey.io.read import RawExport, detect_layout, read_export

__all__ = ["ColumnMap", "Layout", "RawExport", "detect_layout", "map_to_codebook", "read_export"]
