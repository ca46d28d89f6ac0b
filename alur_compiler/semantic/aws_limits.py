"""AWS limits on names, descriptions and tags (AL502), checked at validate, not at apply.

One rule function per limit family in LIMIT_RULES, run per project by
`semantic.passes.aws_limits_hold`. Length limits that a document field maps to one-to-one
are data (LENGTH_LIMITS), so tests/unit/test_aws_limits.py can generate, for every one, a
value at the limit (accepted) and one past it (rejected). Sources: specs/table.md
"AWS limits".

Lengths are counted as AWS counts them: Glue strings in UTF-16 code units (Java), tags in
Unicode characters.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from alur_compiler.diagnostics import Diagnostics, codes
from alur_compiler.load.source import SourceDoc
from alur_compiler.semantic.context import SpecIndex

GLUE_TABLE_API = "https://docs.aws.amazon.com/glue/latest/webapi/API_TableInput.html"
GLUE_COLUMN_API = "https://docs.aws.amazon.com/glue/latest/webapi/API_Column.html"
GLUE_JOB_API = "https://docs.aws.amazon.com/glue/latest/webapi/API_CreateJob.html"
IAM_QUOTAS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html"
S3_BUCKET_RULES = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html"
TAG_RULES = "https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html"

#: Glue's string pattern for table descriptions and column comments: no control character
#: but tab (so no line break), no lone surrogate
_GLUE_TEXT_BAD = re.compile(r"[\x00-\x08\x0a-\x1f\ufffe\uffff]")
#: besides letters (\p{L}), digits (\p{N}) and separators (\p{Z}), what tags allow
_TAG_PUNCTUATION = frozenset("_.:/=+-@")
#: AWS allows 50 user tags per resource; alurc adds 5 of its own (naming.base_tags/entity_tags)
MAX_ENV_TAGS = 50 - 5
IAM_ROLE_NAME_MAX = 64
_BUCKET_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_BUCKET_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")


def glue_length(text: str) -> int:
    """Length as Glue (Java) counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


@dataclass(frozen=True)
class LengthLimit:
    """A document field (`*` matches every list index) and its AWS maximum length."""

    kind: str  # Table, Pipeline or Ingestion
    field: str  # JSON pointer, e.g. /columns/*/description
    what: str
    max: int
    source: str
    #: the field also follows Glue's text pattern (no control characters but tab)
    glue_text: bool = False


LENGTH_LIMITS: tuple[LengthLimit, ...] = (
    LengthLimit("Table", "/description", "Glue table description", 2048, GLUE_TABLE_API, True),
    LengthLimit(
        "Table", "/columns/*/description", "Glue column comment", 255, GLUE_COLUMN_API, True
    ),
    LengthLimit("Pipeline", "/description", "Glue job description", 2048, GLUE_JOB_API),
    LengthLimit("Ingestion", "/description", "Glue job description", 2048, GLUE_JOB_API),
)


def _fields(data: Any, parts: list[str], ptr: str = "") -> Iterator[tuple[str, Any]]:
    if not parts:
        yield ptr, data
        return
    head, rest = parts[0], parts[1:]
    if head == "*":
        if isinstance(data, list):
            for i, item in enumerate(data):
                yield from _fields(item, rest, f"{ptr}/{i}")
    elif isinstance(data, dict) and head in data:
        yield from _fields(data[head], rest, f"{ptr}/{head}")


def _docs(index: SpecIndex) -> Iterator[SourceDoc]:
    yield from (d for _, d in sorted(index.tables.items()))
    yield from (d for _, d in sorted(index.jobs.items()))


def lengths_fit(index: SpecIndex, diags: Diagnostics) -> None:
    for doc in _docs(index):
        for limit in LENGTH_LIMITS:
            if doc.kind != limit.kind:
                continue
            for ptr, value in _fields(doc.data, limit.field.strip("/").split("/")):
                if isinstance(value, str):
                    _length_fits(doc, ptr, value, limit, diags)


def _length_fits(
    doc: SourceDoc, ptr: str, value: str, limit: LengthLimit, diags: Diagnostics
) -> None:
    n = glue_length(value)
    if n > limit.max:
        diags.report(
            codes.AWS_LIMIT,
            f"{limit.what} is {n} characters; AWS allows at most {limit.max}",
            doc.span_of(ptr),
            hint=f"shorten it to {limit.max} characters ({limit.source})",
        )
    bad = _GLUE_TEXT_BAD.search(value) if limit.glue_text else None
    if bad is not None:
        diags.report(
            codes.AWS_LIMIT,
            f"{limit.what} holds character U+{ord(bad.group()):04X}, which Glue rejects"
            " (no control characters but tab, so no line breaks)",
            doc.span_of(ptr),
            hint=f"write it on one line: description: > folds lines ({limit.source})",
        )


def role_names_fit(index: SpecIndex, diags: Diagnostics) -> None:
    """The job's IAM role is named `<project>-<env>-<job>` (backends/terraform/naming.py)."""
    project = index.project
    if project is None or not isinstance(project.data.get("environments"), dict):
        return
    name = str(project.data.get("name", ""))
    for job, doc in sorted(index.jobs.items()):
        for env in sorted(project.data["environments"]):
            role = f"{name}-{env}-{job}"
            if len(role) > IAM_ROLE_NAME_MAX:
                diags.report(
                    codes.AWS_LIMIT,
                    f"the IAM role of this job in environment '{env}' would be named '{role}'"
                    f" ({len(role)} characters); IAM allows at most {IAM_ROLE_NAME_MAX}",
                    doc.span_of("/name"),
                    hint="alurc names a job's role <project>-<environment>-<job>: shorten the"
                    f" job, project or environment name ({IAM_QUOTAS})",
                )
                break


def bucket_names_valid(index: SpecIndex, diags: Diagnostics) -> None:
    """S3's rules beyond the schema's length/character pattern."""
    project = index.project
    envs = project.data.get("environments") if project is not None else None
    if project is None or not isinstance(envs, dict):
        return
    for env, spec in sorted(envs.items()):
        buckets = (spec or {}).get("buckets") if isinstance(spec, dict) else None
        for role, bucket in sorted((buckets or {}).items()) if isinstance(buckets, dict) else ():
            if isinstance(bucket, str):
                problem = bucket_problem(bucket)
                if problem is not None:
                    diags.report(
                        codes.AWS_LIMIT,
                        f"S3 bucket name '{bucket}': {problem}",
                        project.span_of(f"/environments/{env}/buckets/{role}"),
                        hint=f"S3 bucket naming rules: {S3_BUCKET_RULES}",
                    )


def bucket_problem(name: str) -> str | None:
    """Why S3 refuses `name` as a general purpose bucket name (None: it is fine)."""
    if not 3 <= len(name) <= 63:
        return f"{len(name)} characters; S3 allows 3 to 63"
    if re.fullmatch(r"[a-z0-9.-]+", name) is None:
        return "only lower case letters, digits, '.' and '-' are allowed"
    if not (name[0].isalnum() and name[-1].isalnum()):
        return "must begin and end with a letter or digit"
    if ".." in name:
        return "must not contain two adjacent periods"
    try:
        ipaddress.IPv4Address(name)
        return "must not be formatted as an IP address"
    except ValueError:
        pass
    for prefix in _BUCKET_PREFIXES:
        if name.startswith(prefix):
            return f"the prefix '{prefix}' is reserved by AWS"
    for suffix in _BUCKET_SUFFIXES:
        if name.endswith(suffix):
            return f"the suffix '{suffix}' is reserved by AWS"
    return None


def tags_valid(index: SpecIndex, diags: Diagnostics) -> None:
    """Environment tags: characters, the reserved `aws:` prefix and the count per resource
    (lengths 128/256 are the schema's, AL206)."""
    project = index.project
    envs = project.data.get("environments") if project is not None else None
    if project is None or not isinstance(envs, dict):
        return
    for env, spec in sorted(envs.items()):
        tags = spec.get("tags") if isinstance(spec, dict) else None
        if not isinstance(tags, dict):
            continue
        ptr = f"/environments/{env}/tags"
        if len(tags) > MAX_ENV_TAGS:
            diags.report(
                codes.AWS_LIMIT,
                f"{len(tags)} tags; AWS allows 50 per resource and alurc adds 5, so at most"
                f" {MAX_ENV_TAGS}",
                project.span_of(ptr, key=True),
                hint=f"drop some tags ({TAG_RULES})",
            )
        for key, value in tags.items():
            for what, text, key_span in (("key", str(key), True), ("value", value, False)):
                if isinstance(text, str):
                    _tag_text_ok(project, f"{ptr}/{key}", what, text, key_span, diags)


def _tag_text_ok(
    doc: SourceDoc, ptr: str, what: str, text: str, key: bool, diags: Diagnostics
) -> None:
    if text.lower().startswith("aws:"):
        diags.report(
            codes.AWS_LIMIT,
            f"tag {what} '{text}': the prefix 'aws:' is reserved by AWS",
            doc.span_of(ptr, key=key),
            hint=f"drop the prefix ({TAG_RULES})",
        )
        return
    bad = next((ch for ch in text if not tag_char_ok(ch)), None)
    if bad is not None:
        diags.report(
            codes.AWS_LIMIT,
            f"tag {what} holds U+{ord(bad):04X}; AWS tags allow letters, digits, spaces"
            " and _ . : / = + - @",
            doc.span_of(ptr, key=key),
            hint=f"replace the character ({TAG_RULES})",
        )


def tag_char_ok(ch: str) -> bool:
    """AWS's tag pattern `[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]`."""
    return unicodedata.category(ch)[0] in "LZN" or ch in _TAG_PUNCTUATION


LimitRule = Callable[[SpecIndex, Diagnostics], None]

LIMIT_RULES: tuple[LimitRule, ...] = (
    lengths_fit,
    role_names_fit,
    bucket_names_valid,
    tags_valid,
)


def check_aws_limits(index: SpecIndex, diags: Diagnostics) -> None:
    for rule in LIMIT_RULES:
        rule(index, diags)
