"""Ingestion source paths (AL316): one grammar, parsed once, for IAM and the runtime alike.

A source `path` is either

- a **relative prefix** under the environment's landing bucket (locally `local.landing`):
  `orders/`, `crm/customers/`; or
- an **s3 URI** of the environment's landing bucket: `s3://<landing>/orders/`.

A prefix is one or more segments separated by `/`, each made of S3's "safe" key
characters (`A-Z a-z 0-9 ! - _ . ' ( )`) without `*` (a wildcard to IAM and Spark); a
segment of dots only (`.`, `..`) or an empty one (`a//b`, a leading `/`) is refused; the
trailing `/` is added when missing, so `orders` grants `orders/*`, never `orders_x/*`.
Every other form (`s3a://`, `file://`, `https://`, `/abs`, `*`, `?`, `[...]`, `{...}`,
`${...}`, control characters, a bucket other than the landing bucket) is AL316 at the
path value.

`parse_source_path` is the grammar; `SourcePath.location` is the normalised text the IR
carries and the job receives: the runtime (alur_runtime.common.source_base) takes an
`s3://` value as is and joins a relative one under its landing base, and the Terraform
backend grants exactly that bucket and prefix (`arn:aws:s3:::<bucket>/<prefix>*`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from alur_compiler.diagnostics import Diagnostics, codes
from alur_compiler.diagnostics.words import noun
from alur_compiler.load.source import SourceDoc

#: S3's safe key characters (docs: "Creating object key names") minus the wildcard `*`
SEGMENT = re.compile(r"[A-Za-z0-9!\-_.'()]+")
#: S3 general purpose bucket names: 3-63 of a-z 0-9 . -, starting and ending alphanumeric
BUCKET = re.compile(r"[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]")
#: the longest accepted path (S3 keys are at most 1,024 bytes; this leaves room for names)
MAX_LENGTH = 512
HINT = (
    "use a folder relative to the landing bucket, e.g. `orders/` or `crm/customers/`, "
    "or `s3://<landing bucket>/orders/`; segments use A-Z a-z 0-9 ! - _ . ' ( )"
)


@dataclass(frozen=True)
class SourcePath:
    """A parsed source path: `bucket` None means the environment's landing bucket."""

    bucket: str | None
    prefix: str  # one or more segments, each ending in '/'

    @property
    def location(self) -> str:
        """The normalised text: `prefix`, or `s3://bucket/prefix`."""
        return self.prefix if self.bucket is None else f"s3://{self.bucket}/{self.prefix}"


def parse_source_path(text: str) -> SourcePath | str:
    """The parsed path, or why it is not one (a message without the path itself)."""
    if len(text) > MAX_LENGTH:
        return f"is longer than {MAX_LENGTH} characters"
    bad = _control(text)
    if bad:
        return f"contains the control character U+{ord(bad):04X}"
    if "${" in text:
        return "contains '${': paths are literal, not templates"
    bucket: str | None = None
    rest = text
    scheme, sep, after = text.partition("://")
    if sep:
        if scheme != "s3":
            return f"uses the scheme '{scheme}://': only s3:// URIs are accepted"
        name, slash, rest = after.partition("/")
        if not BUCKET.fullmatch(name) or ".." in name:
            return f"names '{name}', which is not an S3 bucket name"
        if not slash or not rest:
            return "names a whole bucket: give a prefix, e.g. s3://bucket/orders/"
        bucket = name
    elif text.startswith("/"):
        return "is an absolute path: give a folder relative to the landing bucket"
    elif ":" in text.split("/", 1)[0]:
        return "looks like a URI: only s3:// URIs are accepted"
    wild = next((c for c in text if c in "*?[]{}"), None)
    if wild:
        return f"contains the wildcard '{wild}': put globs in `pattern`, not in `path`"
    segments = rest.split("/")
    if segments[-1] == "":
        segments.pop()  # the trailing '/'
    if not segments:
        return "is empty: give a folder, e.g. orders/"
    for seg in segments:
        if seg == "":
            return "has an empty segment ('//' or a leading '/')"
        if set(seg) == {"."}:
            return f"has the segment '{seg}': '.' and '..' are not allowed"
        if not SEGMENT.fullmatch(seg):
            c = next(c for c in seg if not SEGMENT.fullmatch(c))
            return f"contains {c!r}: segments use A-Z a-z 0-9 ! - _ . ' ( )"
    return SourcePath(bucket, "".join(s + "/" for s in segments))


def _control(text: str) -> str | None:
    for c in text:
        o = ord(c)
        if o < 0x20 or 0x7F <= o <= 0x9F or c in "\u2028\u2029\ufeff" or 0x200B <= o <= 0x200F:
            return c
        if 0x202A <= o <= 0x202E or 0x2066 <= o <= 0x2069:
            return c
    return None


def source_paths(doc: SourceDoc) -> list[tuple[int, object]]:
    """(index, path value) of an Ingestion document's sources."""
    sources = doc.data.get("sources")
    if not isinstance(sources, list):
        return []
    return [(i, s.get("path")) for i, s in enumerate(sources) if isinstance(s, dict)]


class _Job(Protocol):
    @property
    def doc(self) -> SourceDoc: ...


def check_source_paths(job: _Job, diags: Diagnostics) -> None:
    """AL316 at each source path of an Ingestion outside the grammar (an INGESTION_RULES rule)."""
    doc = job.doc
    for i, path in source_paths(doc):
        if not isinstance(path, str):
            continue  # the schema reports it
        parsed = parse_source_path(path)
        if isinstance(parsed, str):
            diags.report(
                codes.SOURCE_PATH,
                f"source path {path!r} {parsed}",
                doc.span_of(f"/sources/{i}/path"),
                hint=HINT,
            )


class LandingView(Protocol):
    """What the bucket rule reads of an ir.Environment."""

    @property
    def name(self) -> str: ...
    @property
    def landing_bucket(self) -> str: ...


def check_source_buckets(
    docs: Sequence[SourceDoc], envs: Sequence[LandingView], diags: Diagnostics
) -> None:
    """AL316 at an s3:// source whose bucket is not the landing bucket of every environment.

    The schema has no list of extra source buckets, so the landing bucket is the only one
    an ingestion may read; with no environment there is no landing bucket to name.
    """
    for doc in docs:
        for i, path in source_paths(doc):
            parsed = parse_source_path(path) if isinstance(path, str) else None
            if not isinstance(parsed, SourcePath) or parsed.bucket is None:
                continue
            others = [e.name for e in envs if e.landing_bucket != parsed.bucket]
            if envs and not others:
                continue
            why = (
                f"is not the landing bucket of {noun(len(others), 'environment')} "
                + ", ".join(others)
                if envs
                else "is not a landing bucket: no environment is declared"
            )
            diags.report(
                codes.SOURCE_PATH,
                f"source path {path!r}: bucket '{parsed.bucket}' {why}",
                doc.span_of(f"/sources/{i}/path"),
                hint="write the folder relative to the landing bucket, e.g. "
                f"`{parsed.prefix}`: each environment reads its own landing bucket",
            )
