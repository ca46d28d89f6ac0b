"""The hint of a file that shows none of the contract's columns (conform._misread)."""

from __future__ import annotations

from alur_runtime.conform import _misread


def test_a_one_column_header_with_a_separator_names_the_delimiter() -> None:
    for sep in (";", "|"):
        assert f"separated by '{sep}'" in _misread([f"code{sep}label"])
    assert "separated by '\\t'" in _misread(["code\tlabel"])
    assert "UTF-16" in _misread(["\ufffd\ufffdc\x00o\x00d\x00e\x00"])
    assert _misread(["code", "label"]) == ""  # columns found, merely not the needed one
    assert _misread(["order id"]) == ""  # one column, no separator in it
