"""The CSV reader options of a source (alur_runtime.conform.csv_options): alurc's defaults
where the source sets none, in any spelling (Spark's option names are case-insensitive, so
two spellings of one name would leave Spark to pick one), inferSchema always off."""

from __future__ import annotations

import itertools

from alur_runtime.conform import CSV_DEFAULTS, CSV_FIXED, JSON_DEFAULTS, csv_options, reader_options


def _lower(options: dict[str, object]) -> dict[str, object]:
    folded = {k.lower(): v for k, v in options.items()}
    assert len(folded) == len(options), f"one option named twice: {options}"
    return folded


def test_defaults_fill_in_and_never_shadow_what_a_source_sets() -> None:
    assert _lower(csv_options({})) == {
        "header": "true",
        "enforceschema": "false",
        "multiline": "true",
        "escape": '"',
        "inferschema": "false",
    }
    names = [*CSV_DEFAULTS, *CSV_FIXED, "delimiter"]
    spellings = [str.lower, str.upper, lambda n: n]
    for size in range(1, 4):
        for chosen in itertools.combinations(names, size):
            for spell in itertools.product(spellings, repeat=size):
                given = {f(n): "x" for f, n in zip(spell, chosen, strict=True)}
                got = _lower(csv_options(given))
                for name in chosen:
                    want = CSV_FIXED.get(name, "x")
                    assert got[name.lower()] == want, (given, got)
                for name, value in {**CSV_DEFAULTS, **CSV_FIXED}.items():
                    if name not in chosen:
                        assert got[name.lower()] == value, (given, got)


def test_json_reads_fractions_as_decimals_unless_the_source_says_otherwise() -> None:
    assert reader_options({}, JSON_DEFAULTS) == {"prefersDecimal": "true"}
    assert reader_options({"PrefersDecimal": False}, JSON_DEFAULTS) == {"PrefersDecimal": False}
    assert reader_options({"multiLine": True}, JSON_DEFAULTS) == {
        "multiLine": True,
        "prefersDecimal": "true",
    }
