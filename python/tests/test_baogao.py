"""pytest for the Python package: run by .ci/run after `pip install ./python`."""

import os
import pathlib
import shutil

import pytest

import baogao

ROOT = pathlib.Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
TXT = SAMPLES / "hanzhong-2020-dept-overall.txt"
PDF = SAMPLES / "qingshen-2023-project-form.pdf"


def test_extract_text_gives_the_report_dict():
    r = baogao.extract(str(TXT))
    assert r["schema_version"] == "1"
    assert r["source"]["file"] == str(TXT)
    assert r["fields"]["year"]["value"] == 2020
    assert r["fields"]["year"]["page"] >= 1
    assert 0 < r["fields"]["year"]["confidence"] <= 1


def test_extract_pdf_and_pathlike():
    r = baogao.extract(PDF, ocr="never")
    assert r["source"]["text_layer"] in ("pdf", "mixed")
    assert isinstance(r["fields"]["year"]["value"], int)


def test_errors_carry_the_kind(tmp_path):
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"this is not a pdf")
    with pytest.raises(baogao.BaogaoError) as e:
        baogao.extract(bad)
    assert e.value.kind == "not_pdf"
    assert e.value.path == str(bad)
    with pytest.raises(baogao.BaogaoError) as e:
        baogao.extract(tmp_path / "missing.txt")
    assert e.value.kind == "io"
    with pytest.raises(ValueError):
        baogao.extract(TXT, ocr="sometimes")


def test_extract_many_yields_every_result_and_keeps_going(tmp_path):
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4 garbage")
    copies = []
    for i in range(3):
        p = tmp_path / f"r{i}.txt"
        shutil.copy(TXT, p)
        copies.append(p)
    results = list(baogao.extract_many(copies + [bad], jobs=2))
    assert len(results) == 4
    errors = [r for r in results if isinstance(r, baogao.BaogaoError)]
    reports = [r for r in results if isinstance(r, dict)]
    assert [e.path for e in errors] == [str(bad)]
    assert sorted(r["source"]["file"] for r in reports) == sorted(map(str, copies))
    assert all(r["fields"]["year"]["value"] == 2020 for r in reports)


def test_to_pandas_has_stable_typed_columns(tmp_path):
    pd = pytest.importorskip("pandas")
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"not a pdf")
    results = list(baogao.extract_many([TXT, bad], jobs=1))
    df = baogao.to_pandas(results)
    assert len(df) == 2
    for key, value_col, stem in baogao.columns():
        assert value_col in df.columns and stem + "_conf" in df.columns
    assert "budget_initial_yuan" in df.columns
    ok = df[df.status == "ok"].iloc[0]
    assert ok["year"] == 2020
    assert df[df.status == "error"].iloc[0]["error_kind"] == "not_pdf"
    assert pd.api.types.is_numeric_dtype(df["budget_initial_yuan"])
    assert pd.api.types.is_numeric_dtype(df["staff_retired_persons"])


def test_schema_lists_the_fields():
    s = baogao.schema()
    assert "year" in s["properties"]["fields"]["properties"]
