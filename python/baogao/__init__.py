"""baogao: turn Chinese performance-evaluation reports (PDF or text) into checked JSON.

    >>> import baogao
    >>> r = baogao.extract("samples/hanzhong-2020-dept-overall.txt")
    >>> r["fields"]["year"]["value"]
    2020

The conversion is the CLI's own pipeline (a Rust extension); a report is the dict of the
report JSON (see ``baogao schema`` / :func:`schema`). Unlike ``baogao extract``, which runs
every file in its own worker process, this converts in the calling process: a parser panic
becomes a ``BaogaoError`` of kind ``crash``, but there is no timeout or memory limit per file.
"""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Any, Iterable, Iterator, Union

from . import _baogao

__all__ = ["BaogaoError", "extract", "extract_many", "to_pandas", "schema", "columns"]
__version__ = _baogao.__version__

PathLike = Union[str, "os.PathLike[str]"]


class BaogaoError(Exception):
    """A file that could not be converted.

    ``kind`` is the stable error kind of the CLI's summary (``not_pdf``, ``encrypted``,
    ``no_text``, ``not_text``, ``io``, ``crash``, ...), ``path`` the input as given,
    ``message`` the explanation for a person.
    """

    def __init__(self, kind: str, path: str, message: str):
        super().__init__(f"{path}: {message} ({kind})")
        self.kind = kind
        self.path = path
        self.message = message


def extract(
    path: PathLike,
    *,
    ocr: str = "auto",
    patterns: PathLike | None = None,
    patterns_only: bool = False,
    ocr_jobs: int = 1,
) -> dict[str, Any]:
    """Convert one PDF or text file; returns the report JSON as a dict.

    Options are the CLI's: ``ocr`` ("auto", "always", "never"), ``patterns`` (a directory of
    pattern files that override or extend the built-in ones), ``patterns_only``,
    ``ocr_jobs`` (pages of one scan OCRed at once). Raises :class:`BaogaoError` when the file
    cannot be converted and ``ValueError`` for a bad option.
    """
    p = os.fspath(path)
    kind, text = _baogao.extract_json(
        p,
        ocr=ocr,
        patterns_dir=None if patterns is None else os.fspath(patterns),
        patterns_only=patterns_only,
        ocr_jobs=ocr_jobs,
    )
    if kind is not None:
        raise BaogaoError(kind, p, text)
    return json.loads(text)


def extract_many(
    paths: Iterable[PathLike], *, jobs: int | None = None, **options: Any
) -> Iterator[dict[str, Any] | BaogaoError]:
    """Convert many files in ``jobs`` threads (default: the number of CPUs), yielding each
    result as it finishes (not in input order).

    A converted file yields its report dict (``r["source"]["file"]`` says which input it
    is); a file that fails yields its :class:`BaogaoError` instead of raising it, so one bad
    file does not stop the batch. ``options`` are those of :func:`extract`.
    """
    paths = [os.fspath(p) for p in paths]
    workers = jobs if jobs and jobs > 0 else (os.cpu_count() or 1)

    def one(p: str) -> dict[str, Any] | BaogaoError:
        try:
            return extract(p, **options)
        except BaogaoError as e:
            return e

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for fut in as_completed([pool.submit(one, p) for p in paths]):
            yield fut.result()


def columns() -> list[tuple[str, str, str]]:
    """The canonical keys with their column names: ``(key, value_column, stem)``, e.g.
    ``("budget.initial", "budget_initial_yuan", "budget_initial")``."""
    return [tuple(c) for c in _baogao.columns()]


def schema() -> dict[str, Any]:
    """The JSON Schema of a report."""
    return json.loads(_baogao.schema_json())


def to_pandas(reports: Iterable[dict[str, Any] | BaogaoError]):
    """One row per report (or error), with the columns of ``reports.csv``: ``file``,
    ``status`` (``ok``, ``empty`` when no field was found, ``error``), ``error_kind``, and per
    canonical key the value (unit in the name: ``budget_initial_yuan``), ``<stem>_conf``,
    ``<stem>_flags`` and ``<stem>_page``. Every key has its columns whatever the reports hold.

    Needs pandas (``pip install pandas``).
    """
    try:
        import pandas as pd
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("baogao.to_pandas needs pandas: pip install pandas") from e
    cols = columns()
    rows = []
    for r in reports:
        if isinstance(r, BaogaoError):
            row: dict[str, Any] = {"file": r.path, "status": "error", "error_kind": r.kind,
                                   "error": r.message}
            fields: dict[str, Any] = {}
        else:
            fields = r.get("fields", {})
            row = {"file": r["source"]["file"], "status": "ok" if fields else "empty",
                   "error_kind": None, "error": None}
        for key, value_col, stem in cols:
            f = fields.get(key)
            row[value_col] = None if f is None else f["value"]
            row[stem + "_conf"] = None if f is None else f["confidence"]
            row[stem + "_flags"] = None if f is None else ";".join(f["flags"])
            row[stem + "_page"] = None if f is None else f["page"]
        rows.append(row)
    order = ["file", "status"]
    for _, value_col, stem in cols:
        order += [value_col, stem + "_conf", stem + "_flags", stem + "_page"]
    order += ["error_kind", "error"]
    df = pd.DataFrame(rows, columns=order)
    for key, value_col, stem in cols:
        # numeric columns stay numeric even when every value is missing
        # (a key with a unit in its column name, or the year, is a number)
        if value_col != stem or key == "year":
            df[value_col] = pd.to_numeric(df[value_col], errors="coerce")
        df[stem + "_conf"] = pd.to_numeric(df[stem + "_conf"], errors="coerce")
        df[stem + "_page"] = df[stem + "_page"].astype("Int64")
    return df
