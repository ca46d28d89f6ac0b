"""java.util.regex.Pattern syntax (Java 17), checked without a JVM.

A `regex` check runs as Spark's `RLIKE`, that is `java.util.regex.Pattern.compile`. Python's
`re` accepts patterns Java rejects (`(?P<name>...)`, `a{x}`, `\\i`) and the other way round
(`a++`, `(?<=a*)`), so a pattern is validated here by a port of the JDK 17 parser's
syntax rules: the same recursive descent over code points, the same cursor and flag handling
(`(?x)` whitespace and comments included), the same `\\Q...\\E` pre-pass, the same rules for
quantifiers, classes (nested, `&&`, ranges), escapes, group names, inline flags, `\\p{...}`
property names (tables taken once from a Java 17 runtime) and the look-behind length rule.

`java_regex_error(pattern)` returns None when Java compiles the pattern, else a
`JavaRegexError` (Java's message, the 0-based offset in `pattern`, a hint).

Known gaps (each errs towards accepting, so a pattern is never rejected that Java takes):
- `\\N{name}`: names are looked up with Python's `unicodedata` (a newer Unicode than Java 17's
  13.0): a name added after Unicode 13 is accepted; Java's derived `<BLOCK> <hex>` names are
  not checked.
- With the CANON_EQ flag `(?c)` the look-behind length rule is not applied.
- Patterns that make Java throw something other than PatternSyntaxException (a stack
  overflow on very deep nesting, an out-of-bounds read) are accepted.
- Offsets are Java's (`cursor - 1` when it stopped), mapped back through `\\Q...\\E`; inside
  `(?x)` comments Java may stop a little past the character at fault.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class JavaRegexError:
    """Why Java rejects a pattern: its description, where (0-based offset), a hint."""

    message: str
    offset: int
    hint: str | None = None


def java_regex_error(pattern: str) -> JavaRegexError | None:
    """None if `java.util.regex.Pattern.compile(pattern)` succeeds, else the error."""
    parser = _Parser(pattern)
    try:
        parser.compile()
    except _Syntax as exc:
        offset = parser.source_offset(exc.index)
        return JavaRegexError(exc.message, offset, _hint(pattern, offset, exc.message))
    except (IndexError, RecursionError):  # Java would not fail with a syntax error either
        return None
    return None


# --- flags (java.util.regex.Pattern constants) ------------------------------------------
_UNIX_LINES, _CI, _COMMENTS, _MULTILINE, _DOTALL = 0x01, 0x02, 0x04, 0x08, 0x20
_UNICODE_CASE, _CANON_EQ, _UNICODE_CLASS = 0x40, 0x80, 0x100
_ADD = {
    "i": _CI,
    "m": _MULTILINE,
    "s": _DOTALL,
    "d": _UNIX_LINES,
    "u": _UNICODE_CASE,
    "c": _CANON_EQ,
    "x": _COMMENTS,
    "U": _UNICODE_CLASS | _UNICODE_CASE,
}
_MAX_REPS = 0x7FFFFFFF


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_GREEDY, _LAZY, _POSSESSIVE = 0, 1, 2

_GC = _words(
    "Cn Lu Ll Lt Lm Lo Mn Me Mc Nd Nl No Zs Zl Zp Cc Cf Co Cs Pd Ps Pe Pc Po Sm Sc Sk So Pi "
    "Pf L M N Z C P S LC LD L1 all ASCII Alnum Alpha Blank Cntrl Digit Graph Lower Print "
    "Punct Space Upper XDigit javaLowerCase javaUpperCase javaAlphabetic javaIdeographic "
    "javaTitleCase javaDigit javaDefined javaLetter javaLetterOrDigit javaJavaIdentifierStart "
    "javaJavaIdentifierPart javaUnicodeIdentifierStart javaUnicodeIdentifierPart "
    "javaIdentifierIgnorable javaSpaceChar javaWhitespace javaISOControl javaMirrored"
)
_UNICODE_PROPS = _words(
    "ALPHABETIC ASSIGNED CONTROL HEXDIGIT HEX_DIGIT IDEOGRAPHIC JOINCONTROL JOIN_CONTROL LETTER "
    "LOWERCASE NONCHARACTERCODEPOINT NONCHARACTER_CODE_POINT TITLECASE PUNCTUATION UPPERCASE "
    "WHITESPACE WHITE_SPACE WORD"
)
_POSIX = _words("ALPHA LOWER UPPER SPACE PUNCT XDIGIT ALNUM CNTRL DIGIT BLANK GRAPH PRINT")


def _block_names() -> frozenset[str]:
    names = set(_BLOCK_EXTRA.split("|"))
    for name in _BLOCKS.split("|"):
        names.update((name, name.replace("_", " "), name.replace("_", "")))
    return frozenset(names)


_BLOCK_SET: frozenset[str] = frozenset()
_SCRIPT_SET: frozenset[str] = frozenset()


def _is_block(name: str) -> bool:
    global _BLOCK_SET
    if not _BLOCK_SET:
        _BLOCK_SET = _block_names()
    return name.upper() in _BLOCK_SET


def _is_script(name: str) -> bool:
    global _SCRIPT_SET
    if not _SCRIPT_SET:
        _SCRIPT_SET = frozenset(_SCRIPTS.split("|"))
    return name.upper() in _SCRIPT_SET


def _i32(v: int) -> int:
    v &= 0xFFFFFFFF
    return v - 0x100000000 if v >= 0x80000000 else v


def _is_digit(c: int) -> bool:
    return 0x30 <= c <= 0x39


def _is_alpha(c: int) -> bool:
    return 0x41 <= c <= 0x5A or 0x61 <= c <= 0x7A


def _is_hex(c: int) -> bool:
    return _is_digit(c) or 0x41 <= c <= 0x46 or 0x61 <= c <= 0x66


def _is_space(c: int) -> bool:  # java.util.regex.ASCII.isSpace
    return c in (0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D)


class _Syntax(Exception):
    def __init__(self, message: str, index: int) -> None:
        super().__init__(message)
        self.message = message
        self.index = index


# Study items (the part of Java's node tree the look-behind length rule reads):
# ("c",) one char  ("s", n) n chars  ("z",) zero width  ("x",) \X  ("r",) \R  ("b",) backref
# ("g", cmin) greedy char loop  ("curly", atom, cmin, cmax)  ("q", atom, independent)
# ("br", [alts])  ("loop",)  ("?",) unknown
Item = tuple[Any, ...]
_C: Item = ("c",)
_Z: Item = ("z",)


class _Info:
    __slots__ = ("det", "max", "min", "unknown", "valid")

    def __init__(self) -> None:
        self.unknown = False
        self.reset()

    def reset(self) -> None:
        self.min, self.max, self.valid, self.det = 0, 0, True, True


def _study(items: list[Item], info: _Info) -> None:
    """TreeInfo as Java's Node.study computes it (int overflow included)."""
    for k, it in enumerate(items):
        kind = it[0]
        if kind == "c":
            info.min, info.max = _i32(info.min + 1), _i32(info.max + 1)
        elif kind == "s":
            info.min, info.max = _i32(info.min + it[1]), _i32(info.max + it[1])
        elif kind == "x":
            info.min = _i32(info.min + 1)
            info.det = False
        elif kind == "r":
            info.min, info.max = _i32(info.min + 1), _i32(info.max + 2)
        elif kind == "b":
            info.valid = False
        elif kind == "g":
            info.min = _i32(info.min + it[1])
            if info.valid:
                info.max = _i32(info.max + _MAX_REPS)
            info.det = False
        elif kind == "curly":
            _, atom, cmin, cmax = it
            min_l, max_l, max_v, detm = info.min, info.max, info.valid, info.det
            info.reset()
            _study(atom, info)
            temp = _i32(info.min * cmin + min_l)
            info.min = 0xFFFFFFF if temp < min_l else temp
            if max_v and info.valid:
                temp = _i32(info.max * cmax + max_l)
                info.max = temp
                if temp < max_l:
                    info.valid = False
            else:
                info.valid = False
            info.det = detm if info.det and cmin == cmax else False
        elif kind == "q":
            if it[2]:
                _study(it[1], info)
            else:
                min_l = info.min
                _study(it[1], info)
                info.min = min_l
                info.det = False
        elif kind == "br":
            min_l, max_l, max_v = info.min, info.max, info.valid
            min2, max2 = 0x7FFFFFFF, -1
            for alt in it[1]:
                info.reset()
                _study(alt, info)
                min2, max2 = min(min2, info.min), max(max2, info.max)
                max_v = max_v and info.valid
            min_l, max_l = _i32(min_l + min2), _i32(max_l + max2)
            info.reset()
            _study(items[k + 1 :], info)
            info.min, info.max = _i32(info.min + min_l), _i32(info.max + max_l)
            info.valid = info.valid and max_v
            info.det = False
            return
        elif kind == "loop":
            info.valid = False
            info.det = False
            return
        elif kind == "?":
            info.unknown = True


class _Parser:
    """A port of the syntax side of java.util.regex.Pattern's parser (no matcher built)."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        temp = [ord(c) for c in pattern]
        where = list(range(len(temp)))
        temp, where = _remove_qe(temp, where)
        self.n = len(temp)
        self.temp = [*temp, 0, 0]
        self.where = where
        self.cursor = 0
        self.flags = 0
        self.groups = 1
        self.names: set[str] = set()
        self.root: Item = _Z

    # --- positions ---------------------------------------------------------------------
    def source_offset(self, index: int) -> int:
        if index < 0:
            return 0
        if index >= len(self.where):
            return len(self.pattern)
        return self.where[index]

    def error(self, message: str) -> _Syntax:
        return _Syntax(message, self.cursor - 1)

    # --- cursor primitives (peek/read/next/skip as Java's) -----------------------------
    def at(self, i: int) -> int:
        return self.temp[i] if 0 <= i < len(self.temp) else 0

    def has(self, flag: int) -> bool:
        return bool(self.flags & flag)

    def peek(self) -> int:
        ch = self.at(self.cursor)
        if self.has(_COMMENTS):
            ch = self.peek_past_ws(ch)
        return ch

    def read(self) -> int:
        ch = self.at(self.cursor)
        self.cursor += 1
        if self.has(_COMMENTS):
            ch = self.parse_past_ws(ch)
        return ch

    def next(self) -> int:
        self.cursor += 1
        ch = self.at(self.cursor)
        if self.has(_COMMENTS):
            ch = self.peek_past_ws(ch)
        return ch

    def next_escaped(self) -> int:
        self.cursor += 1
        return self.at(self.cursor)

    def skip(self) -> int:
        ch = self.at(self.cursor + 1)
        self.cursor += 2
        return ch

    def unread(self) -> None:
        self.cursor -= 1

    def accept(self, ch: int, message: str) -> None:
        test = self.at(self.cursor)
        self.cursor += 1
        if self.has(_COMMENTS):
            test = self.parse_past_ws(test)
        if test != ch:
            raise self.error(message)

    def line_sep(self, ch: int) -> bool:
        if self.has(_UNIX_LINES):
            return ch == 0x0A
        return ch in (0x0A, 0x0D, 0x85) or (ch | 1) == 0x2029

    def peek_past_ws(self, ch: int) -> int:
        while _is_space(ch) or ch == 0x23:
            while _is_space(ch):
                self.cursor += 1
                ch = self.at(self.cursor)
            if ch == 0x23:
                self.cursor += 1
                ch = self.at(self.cursor)
                while ch != 0 and not self.line_sep(ch):
                    self.cursor += 1
                    ch = self.at(self.cursor)
                if ch == 0 and self.cursor > self.n:
                    self.cursor = self.n
                    ch = self.at(self.cursor)
        return ch

    def parse_past_ws(self, ch: int) -> int:
        while _is_space(ch) or ch == 0x23:
            while _is_space(ch):
                ch = self.at(self.cursor)
                self.cursor += 1
            if ch == 0x23:
                ch = self.at(self.cursor)
                self.cursor += 1
                while ch != 0 and not self.line_sep(ch):
                    ch = self.at(self.cursor)
                    self.cursor += 1
                if ch == 0 and self.cursor > self.n:
                    self.cursor = self.n
                    ch = self.at(self.cursor)
                    self.cursor += 1
        return ch

    # --- the grammar -------------------------------------------------------------------
    def compile(self) -> None:
        self.expr()
        if self.cursor != self.n:
            if self.peek() == 0x29:
                raise self.error("Unmatched closing ')'")
            raise self.error("Unexpected internal error")

    def expr(self) -> list[Item]:
        alts = []
        while True:
            alts.append(self.sequence())
            if self.peek() != 0x7C:
                break
            self.next()
        return alts[0] if len(alts) == 1 else [("br", alts)]

    def sequence(self) -> list[Item]:
        items: list[Item] = []
        while True:
            ch = self.peek()
            if ch == 0x28:  # (
                items.extend(self.group0())
                continue
            if ch == 0x5B:  # [
                self.clazz(True)
                node = ("?",) if self.has(_CANON_EQ) else _C
            elif ch == 0x5C:  # backslash
                ch = self.next_escaped()
                if ch in (0x70, 0x50):  # p P
                    one = True
                    if self.next() != 0x7B:
                        self.unread()
                    else:
                        one = False
                    self.family(one)
                    node = ("?",) if self.has(_CANON_EQ) else _C
                else:
                    self.unread()
                    node = self.atom()
            elif ch in (0x5E, 0x24):  # ^ $
                self.next()
                node = _Z
            elif ch == 0x2E:  # .
                self.next()
                node = _C
            elif ch in (0x7C, 0x29):  # | )
                break
            elif ch in (0x3F, 0x2A, 0x2B):  # ? * +
                self.next()
                raise self.error(f"Dangling meta character '{chr(ch)}'")
            elif ch == 0 and self.cursor >= self.n:
                break
            else:
                node = self.atom()
            items.extend(self.closure(node))
        return items

    def atom(self) -> Item:
        first, prev = 0, -1
        ch = self.peek()
        while True:
            if ch in (0x2A, 0x2B, 0x3F, 0x7B):  # * + ? {
                if first > 1:
                    self.cursor = prev
                    first -= 1
                break
            if ch in (0x24, 0x2E, 0x5E, 0x28, 0x5B, 0x7C, 0x29):  # $ . ^ ( [ | )
                break
            if ch == 0x5C:
                ch = self.next_escaped()
                if ch in (0x70, 0x50):
                    if first > 0:
                        self.unread()
                        break
                    if self.next() != 0x7B:
                        self.unread()
                        one = True
                    else:
                        one = False
                    self.family(one)
                    return ("?",) if self.has(_CANON_EQ) else _C
                self.unread()
                prev = self.cursor
                ch = self.escape(False, first == 0, False)
                if ch >= 0:
                    first += 1
                    ch = self.peek()
                    continue
                if first == 0:
                    return self.root
                self.cursor = prev
                break
            if ch == 0 and self.cursor >= self.n:
                break
            prev = self.cursor
            first += 1
            ch = self.next()
        if first == 1:
            return _C
        return ("s", first)

    def ref(self, num: int) -> Item:
        while True:
            ch = self.peek()
            if not _is_digit(ch):
                break
            new = num * 10 + (ch - 0x30)
            if self.groups - 1 < new:
                break
            num = new
            self.read()
        return ("b",)

    def escape(self, inclass: bool, create: bool, isrange: bool) -> int:
        ch = self.skip()
        c = chr(ch) if ch < 0x110000 else ""
        if c == "0":
            return self.octal()
        if c in "123456789" and c:
            if not inclass:
                if create:
                    self.root = self.ref(ch - 0x30)
                return -1
        elif c in ("A", "G", "Z", "z", "B"):
            if not inclass:
                self.root = _Z
                return -1
        elif c in ("D", "H", "S", "V", "W", "d", "h", "s", "w"):
            self.root = _C
            return -1
        elif c == "N":
            return self.named_char()
        elif c == "R":
            if not inclass:
                self.root = ("r",)
                return -1
        elif c == "X":
            if not inclass:
                self.root = ("x",)
                return -1
        elif c == "a":
            return 7
        elif c == "b":
            if not inclass:
                if create:
                    if self.peek() == 0x7B:
                        if self.skip() == 0x67:  # g
                            if self.read() == 0x7D:
                                self.root = _Z
                                return -1
                            raise self.error("Illegal/unsupported escape sequence")
                        self.unread()
                        self.unread()
                    self.root = _Z
                return -1
        elif c == "c":
            if self.cursor < self.n:
                return self.read() ^ 64
            raise self.error("Illegal control escape sequence")
        elif c == "e":
            return 0x1B
        elif c == "f":
            return 0x0C
        elif c == "k":
            if not inclass:
                if self.read() != 0x3C:
                    raise self.error("\\k is not followed by '<' for named capturing group")
                name = self.groupname(self.read())
                if name not in self.names:
                    raise self.error(f"named capturing group <{name}> does not exist")
                self.root = ("b",)
                return -1
        elif c == "n":
            return 0x0A
        elif c == "r":
            return 0x0D
        elif c == "t":
            return 0x09
        elif c == "u":
            return self.unicode()
        elif c == "v":
            if isrange:
                return 0x0B
            self.root = _C
            return -1
        elif c == "x":
            return self.hexa()
        elif c and ("A" <= c <= "Z" or "a" <= c <= "z"):
            pass  # every other ASCII letter is reserved
        else:
            return ch
        raise self.error("Illegal/unsupported escape sequence")

    def octal(self) -> int:
        n = self.read()
        if 0x30 <= n <= 0x37:
            m = self.read()
            if 0x30 <= m <= 0x37:
                o = self.read()
                if 0x30 <= o <= 0x37 and 0x30 <= n <= 0x33:
                    return (n - 0x30) * 64 + (m - 0x30) * 8 + (o - 0x30)
                self.unread()
                return (n - 0x30) * 8 + (m - 0x30)
            self.unread()
            return n - 0x30
        raise self.error("Illegal octal escape sequence")

    def hexa(self) -> int:
        n = self.read()
        if _is_hex(n):
            m = self.read()
            if _is_hex(m):
                return int(chr(n) + chr(m), 16)
        elif n == 0x7B and _is_hex(self.peek()):
            value = 0
            while _is_hex(n := self.read()):
                value = value * 16 + int(chr(n), 16)
                if value > 0x10FFFF:
                    raise self.error("Hexadecimal codepoint is too big")
            if n != 0x7D:
                raise self.error("Unclosed hexadecimal escape sequence")
            return value
        raise self.error("Illegal hexadecimal escape sequence")

    def uxxxx(self) -> int:
        value = 0
        for _ in range(4):
            ch = self.read()
            if not _is_hex(ch):
                raise self.error("Illegal Unicode escape sequence")
            value = value * 16 + int(chr(ch), 16)
        return value

    def unicode(self) -> int:
        value = self.uxxxx()
        if 0xD800 <= value <= 0xDBFF:
            cur = self.cursor
            if self.read() == 0x5C and self.read() == 0x75:
                low = self.uxxxx()
                if 0xDC00 <= low <= 0xDFFF:
                    return 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
            self.cursor = cur
        return value

    def named_char(self) -> int:
        if self.read() == 0x7B:
            i = self.cursor
            while self.read() != 0x7D:
                if self.cursor >= self.n:
                    raise self.error("Unclosed character name escape sequence")
            name = "".join(map(chr, self.temp[i : self.cursor - 1]))
            key = name.strip(" \t\n\r\x0b\x0c\x00").upper()
            try:
                return ord(unicodedata.lookup(key)[0])
            except (KeyError, IndexError):
                tail = key.rsplit(" ", 1)[-1]
                if " " in key and tail and all(_is_hex(ord(t)) for t in tail):
                    return 0  # maybe a Java-derived "<BLOCK> <hex>" name: not checked
                raise self.error(f"Unknown character name [{name}]") from None
        raise self.error("Illegal character name escape sequence")

    def clazz(self, consume: bool) -> None:
        prev = False  # whether Java's CharPredicate prev is non-null
        has_bits = False
        ch = self.next()
        if ch == 0x5E and self.at(self.cursor - 1) == 0x5B:  # [^
            ch = self.next()
        while True:
            if ch == 0x5B:
                self.clazz(True)
                prev = True
                ch = self.peek()
                continue
            if ch == 0x26:  # &
                ch = self.next()
                if ch == 0x26:
                    ch = self.next()
                    right = False
                    while ch not in (0x5D, 0x26):
                        if ch == 0x5B:
                            self.clazz(True)
                        else:
                            self.unread()
                            self.clazz(False)
                        right = True
                        ch = self.peek()
                    if has_bits:
                        prev, has_bits = True, False
                    if not prev:
                        if not right:
                            raise self.error("Bad class syntax")
                        prev = True
                    continue
                self.unread()
            elif ch == 0 and self.cursor >= self.n:
                raise self.error("Unclosed character class")
            elif ch == 0x5D and (prev or has_bits):  # ]
                if consume:
                    self.next()
                return
            if self.range():
                prev = True
            else:
                has_bits = True
            ch = self.peek()

    def bits_or_single(self, ch: int) -> bool:
        special = ch in (0xFF, 0xB5, 0x49, 0x69, 0x53, 0x73, 0x4B, 0x6B, 0xC5, 0xE5)
        return ch >= 256 or (self.has(_CI) and self.has(_UNICODE_CASE) and special)

    def range(self) -> bool:
        """Java's range(): False when the char went into the class bitmap (null)."""
        ch = self.peek()
        if ch == 0x5C:
            ch = self.next_escaped()
            if ch in (0x70, 0x50):
                if self.next() != 0x7B:
                    self.unread()
                    one = True
                else:
                    one = False
                self.family(one)
                return True
            isrange = self.at(self.cursor + 1) == 0x2D
            self.unread()
            ch = self.escape(True, True, isrange)
            if ch == -1:
                return True
        else:
            self.next()
        if self.peek() == 0x2D:  # -
            end = self.at(self.cursor + 1)
            if end == 0x5B:
                return self.bits_or_single(ch)
            if end != 0x5D:
                self.next()
                m = self.peek()
                if m == 0x5C:
                    m = self.escape(True, False, True)
                else:
                    self.next()
                if m < ch:
                    raise self.error("Illegal character range")
                return True
        return self.bits_or_single(ch)

    def family(self, single: bool) -> None:
        self.next()
        if single:
            name = chr(self.at(self.cursor))
            self.read()
        else:
            i = self.cursor
            self.temp[self.n] = 0x7D
            while self.read() != 0x7D:
                pass
            self.temp[self.n] = 0
            j = self.cursor
            if j > self.n:
                raise self.error("Unclosed character family")
            if i + 1 >= j:
                raise self.error("Empty character family")
            name = "".join(map(chr, self.temp[i : j - 1]))
        if "=" in name:
            key, value = name.split("=", 1)
            key = key.lower()
            ok = (
                (key in ("sc", "script") and _is_script(value))
                or (key in ("blk", "block") and _is_block(value))
                or (key in ("gc", "general_category") and value in _GC)
            )
            if not ok:
                raise self.error(f"Unknown Unicode property {{name=<{key}>, value=<{value}>}}")
            return
        if name.startswith("In"):
            ok = _is_block(name[2:])
        elif name.startswith("Is"):
            short = name[2:]
            ok = short.upper() in _UNICODE_PROPS or short in _GC or _is_script(short)
        else:
            ok = (self.has(_UNICODE_CLASS) and name.upper() in _POSIX) or name in _GC
        if not ok:
            raise self.error(f"Unknown character property name {{{name}}}")

    def groupname(self, ch: int) -> str:
        if not _is_alpha(ch):
            raise self.error("capturing group name does not start with a Latin letter")
        out = []
        while True:
            out.append(chr(ch))
            ch = self.read()
            if not (_is_alpha(ch) or _is_digit(ch)):
                break
        if ch != 0x3E:
            raise self.error("named capturing group is missing trailing '>'")
        return "".join(out)

    def group0(self) -> list[Item]:
        save = self.flags
        zero_width = False
        ch = self.next()
        if ch == 0x3F:  # ?
            ch = self.skip()
            if ch == 0x3A:  # :
                inner = self.expr()
            elif ch in (0x3D, 0x21):  # = !
                self.expr()
                inner, zero_width = [_Z], True
            elif ch == 0x3E:  # >
                inner, zero_width = [("q", self.expr(), True)], True
            elif ch == 0x3C:  # <
                ch = self.read()
                if ch not in (0x3D, 0x21):
                    name = self.groupname(ch)
                    if name in self.names:
                        raise self.error(f"Named capturing group <{name}> is already defined")
                    self.groups += 1
                    self.names.add(name)
                    inner = self.expr()
                else:
                    body = self.expr()
                    info = _Info()
                    _study(body, info)
                    if not info.valid and not info.unknown:
                        raise self.error(
                            "Look-behind group does not have an obvious maximum length"
                        )
                    inner, zero_width = [_Z], True
            elif ch in (0x24, 0x40):  # $ @
                raise self.error("Unknown group type")
            else:
                self.unread()
                self.add_flags()
                ch = self.read()
                if ch == 0x29:
                    return []  # flags only: they stay set to the end of the enclosing group
                if ch != 0x3A:
                    raise self.error("Unknown inline modifier")
                inner = self.expr()
        else:
            self.groups += 1
            inner = self.expr()
        self.accept(0x29, "Unclosed group")
        self.flags = save
        q = self.quantifier()
        if q is None:
            return inner
        kind, qtype, cmin, cmax = q
        if zero_width:
            return [("q", inner, False)] if kind == "q" else [("curly", inner, cmin, cmax)]
        if kind == "q":
            return [("q", inner, False)] if qtype == _POSSESSIVE else [("br", [inner, []])]
        if qtype == _POSSESSIVE:
            return [("curly", inner, cmin, cmax)]
        info = _Info()
        _study(inner, info)
        return [("curly", inner, cmin, cmax)] if info.det else [("loop",)]

    def add_flags(self) -> None:
        ch = self.peek()
        while True:
            c = chr(ch) if 0 < ch < 0x110000 else ""
            if c and c in _ADD:
                self.flags |= _ADD[c]
            elif c == "-":
                ch = self.next()
                while True:
                    c = chr(ch) if 0 < ch < 0x110000 else ""
                    if not (c and c in _ADD):
                        return
                    self.flags &= ~(_ADD[c] if c != "U" else _UNICODE_CLASS | _UNICODE_CASE)
                    ch = self.next()
            else:
                return
            ch = self.next()

    def qtype(self) -> int:
        ch = self.next()
        if ch == 0x3F:
            self.next()
            return _LAZY
        if ch == 0x2B:
            self.next()
            return _POSSESSIVE
        return _GREEDY

    def quantifier(self) -> tuple[str, int, int, int] | None:
        """Java's closure(): ("q"|"star"|"curly", qtype, cmin, cmax), None if none."""
        ch = self.peek()
        if ch == 0x3F:
            return ("q", self.qtype(), 0, 1)
        if ch in (0x2A, 0x2B):
            return ("star", self.qtype(), 0 if ch == 0x2A else 1, _MAX_REPS)
        if ch != 0x7B:
            return None
        ch = self.skip()
        if not _is_digit(ch):
            raise self.error("Illegal repetition")
        cmin = 0
        while True:
            cmin = cmin * 10 + (ch - 0x30)
            if cmin > _MAX_REPS:
                raise self.error("Illegal repetition range")
            ch = self.read()
            if not _is_digit(ch):
                break
        if ch == 0x2C:  # ,
            ch = self.read()
            if ch == 0x7D:
                self.unread()
                return ("star", self.qtype(), cmin, _MAX_REPS)
            cmax = 0
            while _is_digit(ch):
                cmax = cmax * 10 + (ch - 0x30)
                if cmax > _MAX_REPS:
                    raise self.error("Illegal repetition range")
                ch = self.read()
        else:
            cmax = cmin
        if ch != 0x7D:
            raise self.error("Unclosed counted closure")
        if cmax < cmin:
            raise self.error("Illegal repetition range")
        self.unread()
        if cmin == 0 and cmax == 1:
            return ("q", self.qtype(), 0, 1)
        return ("curly", self.qtype(), cmin, cmax)

    def closure(self, prev: Item) -> list[Item]:
        q = self.quantifier()
        if q is None:
            return [prev]
        kind, qtype, cmin, cmax = q
        if kind == "q":
            return [("q", [prev], False)]
        if kind == "star" and qtype == _GREEDY and prev[0] == "c":
            return [("g", cmin)]
        return [("curly", [prev], cmin, cmax)]


def _remove_qe(temp: list[int], where: list[int]) -> tuple[list[int], list[int]]:
    """Java's RemoveQEQuoting: \\Q...\\E becomes escaped literals (with source offsets)."""
    n = len(temp)
    i = 0
    while i < n - 1:
        if temp[i] != 0x5C:
            i += 1
        elif temp[i + 1] != 0x51:
            i += 2
        else:
            break
    if i >= n - 1:
        return temp, where
    out, pos = temp[:i], where[:i]
    i += 2
    in_quote = begin = True
    src = [*temp, 0]
    while i < n:
        c = src[i]
        at = i
        i += 1
        if c >= 0x80 or _is_alpha(c):
            out.append(c)
            pos.append(at)
        elif _is_digit(c):
            if begin:
                out += [0x5C, 0x78, 0x33]
                pos += [at, at, at]
            out.append(c)
            pos.append(at)
        elif c != 0x5C:
            if in_quote:
                out.append(0x5C)
                pos.append(at)
            out.append(c)
            pos.append(at)
        elif in_quote:
            if src[i] == 0x45:  # E
                i += 1
                in_quote = False
            else:
                out += [0x5C, 0x5C]
                pos += [at, at]
        elif src[i] == 0x51:  # Q
            i += 1
            in_quote = begin = True
            continue
        else:
            out.append(c)
            pos.append(at)
            if i != n:
                out.append(src[i])
                pos.append(i)
                i += 1
        begin = False
    return out, pos


def _hint(pattern: str, offset: int, message: str) -> str:
    near = pattern[max(0, offset - 3) : offset + 3]
    if "(?P=" in near:
        return "Java writes a named backreference as \\k<name>"
    if "(?P<" in near:
        return "Java writes named groups as (?<name>...)"
    if "(?#" in near:
        return "Java has no (?#...) comments: use (?x) and # ... to end of line"
    if message == "Illegal repetition":
        if pattern[max(0, offset - 1) : offset + 1] == "{,":
            return "Java needs a lower bound: write {0,n}"
        return "a '{' that does not start a {n}, {n,} or {n,m} quantifier: write \\{ for a brace"
    if message == "Illegal/unsupported escape sequence":
        return "Java reserves backslash + letter: drop the backslash for a literal letter"
    if message.startswith("capturing group name") or message.startswith("named capturing"):
        return "Java group names are ASCII letters and digits, starting with a letter"
    if message.startswith("Look-behind"):
        return "Java look-behind needs a bounded length: use {n,m} instead of * or +"
    if message.startswith("Dangling meta"):
        return "a quantifier needs something before it: write \\? \\* \\+ for the character"
    if message.startswith("Unknown character property") or message.startswith("Unknown Unicode"):
        return "see java.lang.Character for property, block and script names, e.g. \\p{L}"
    return "patterns are compiled by java.util.regex.Pattern (Spark RLIKE)"


# --- property names, as a Java 17 runtime lists them (Character.UnicodeBlock / UnicodeScript)
_BLOCKS = (
    "ADLAM|AEGEAN_NUMBERS|AHOM|ALCHEMICAL_SYMBOLS|ALPHABETIC_PRESENTATION_FORMS|ANATOLIAN"
    "_HIEROGLYPHS|ANCIENT_GREEK_MUSICAL_NOTATION|ANCIENT_GREEK_NUMBERS|ANCIENT_SYMBOLS|AR"
    "ABIC|ARABICEXTENDED-A|ARABICPRESENTATIONFORMS-A|ARABICPRESENTATIONFORMS-B|ARABIC_MAT"
    "HEMATICAL_ALPHABETIC_SYMBOLS|ARABIC_SUPPLEMENT|ARMENIAN|ARROWS|AVESTAN|BALINESE|BAMU"
    "M|BAMUM_SUPPLEMENT|BASIC_LATIN|BASSA_VAH|BATAK|BENGALI|BHAIKSUKI|BLOCK_ELEMENTS|BOPO"
    "MOFO|BOPOMOFO_EXTENDED|BOX_DRAWING|BRAHMI|BRAILLE_PATTERNS|BUGINESE|BUHID|BYZANTINE_"
    "MUSICAL_SYMBOLS|CARIAN|CAUCASIAN_ALBANIAN|CHAKMA|CHAM|CHEROKEE|CHEROKEE_SUPPLEMENT|C"
    "HESS_SYMBOLS|CHORASMIAN|CJK_COMPATIBILITY|CJK_COMPATIBILITY_FORMS|CJK_COMPATIBILITY_"
    "IDEOGRAPHS|CJK_COMPATIBILITY_IDEOGRAPHS_SUPPLEMENT|CJK_RADICALS_SUPPLEMENT|CJK_STROK"
    "ES|CJK_SYMBOLS_AND_PUNCTUATION|CJK_UNIFIED_IDEOGRAPHS|CJK_UNIFIED_IDEOGRAPHS_EXTENSI"
    "ON_A|CJK_UNIFIED_IDEOGRAPHS_EXTENSION_B|CJK_UNIFIED_IDEOGRAPHS_EXTENSION_C|CJK_UNIFI"
    "ED_IDEOGRAPHS_EXTENSION_D|CJK_UNIFIED_IDEOGRAPHS_EXTENSION_E|CJK_UNIFIED_IDEOGRAPHS_"
    "EXTENSION_F|CJK_UNIFIED_IDEOGRAPHS_EXTENSION_G|COMBININGDIACRITICALMARKSFORSYMBOLS|C"
    "OMBINING_DIACRITICAL_MARKS|COMBINING_DIACRITICAL_MARKS_EXTENDED|COMBINING_DIACRITICA"
    "L_MARKS_SUPPLEMENT|COMBINING_HALF_MARKS|COMBINING_MARKS_FOR_SYMBOLS|COMMON_INDIC_NUM"
    "BER_FORMS|CONTROL_PICTURES|COPTIC|COPTIC_EPACT_NUMBERS|COUNTING_ROD_NUMERALS|CUNEIFO"
    "RM|CUNEIFORM_NUMBERS_AND_PUNCTUATION|CURRENCY_SYMBOLS|CYPRIOT_SYLLABARY|CYRILLIC|CYR"
    "ILLICEXTENDED-A|CYRILLICEXTENDED-B|CYRILLICEXTENDED-C|CYRILLICSUPPLEMENT|CYRILLIC_SU"
    "PPLEMENTARY|DESERET|DEVANAGARI|DEVANAGARI_EXTENDED|DINGBATS|DIVES_AKURU|DOGRA|DOMINO"
    "_TILES|DUPLOYAN|EARLY_DYNASTIC_CUNEIFORM|EGYPTIAN_HIEROGLYPHS|EGYPTIAN_HIEROGLYPH_FO"
    "RMAT_CONTROLS|ELBASAN|ELYMAIC|EMOTICONS|ENCLOSED_ALPHANUMERICS|ENCLOSED_ALPHANUMERIC"
    "_SUPPLEMENT|ENCLOSED_CJK_LETTERS_AND_MONTHS|ENCLOSED_IDEOGRAPHIC_SUPPLEMENT|ETHIOPIC"
    "|ETHIOPICEXTENDED-A|ETHIOPIC_EXTENDED|ETHIOPIC_SUPPLEMENT|GENERAL_PUNCTUATION|GEOMET"
    "RIC_SHAPES|GEOMETRIC_SHAPES_EXTENDED|GEORGIAN|GEORGIAN_EXTENDED|GEORGIAN_SUPPLEMENT|"
    "GLAGOLITIC|GLAGOLITIC_SUPPLEMENT|GOTHIC|GRANTHA|GREEK|GREEKANDCOPTIC|GREEK_EXTENDED|"
    "GUJARATI|GUNJALA_GONDI|GURMUKHI|HALFWIDTH_AND_FULLWIDTH_FORMS|HANGULJAMOEXTENDED-A|H"
    "ANGULJAMOEXTENDED-B|HANGUL_COMPATIBILITY_JAMO|HANGUL_JAMO|HANGUL_SYLLABLES|HANIFI_RO"
    "HINGYA|HANUNOO|HATRAN|HEBREW|HIGH_PRIVATE_USE_SURROGATES|HIGH_SURROGATES|HIRAGANA|ID"
    "EOGRAPHIC_DESCRIPTION_CHARACTERS|IDEOGRAPHIC_SYMBOLS_AND_PUNCTUATION|IMPERIAL_ARAMAI"
    "C|INDIC_SIYAQ_NUMBERS|INSCRIPTIONAL_PAHLAVI|INSCRIPTIONAL_PARTHIAN|IPA_EXTENSIONS|JA"
    "VANESE|KAITHI|KANAEXTENDED-A|KANA_SUPPLEMENT|KANBUN|KANGXI_RADICALS|KANNADA|KATAKANA"
    "|KATAKANA_PHONETIC_EXTENSIONS|KAYAH_LI|KHAROSHTHI|KHITAN_SMALL_SCRIPT|KHMER|KHMER_SY"
    "MBOLS|KHOJKI|KHUDAWADI|LAO|LATIN-1SUPPLEMENT|LATINEXTENDED-A|LATINEXTENDED-B|LATINEX"
    "TENDED-C|LATINEXTENDED-D|LATINEXTENDED-E|LATIN_EXTENDED_ADDITIONAL|LEPCHA|LETTERLIKE"
    "_SYMBOLS|LIMBU|LINEAR_A|LINEAR_B_IDEOGRAMS|LINEAR_B_SYLLABARY|LISU|LISU_SUPPLEMENT|L"
    "OW_SURROGATES|LYCIAN|LYDIAN|MAHAJANI|MAHJONG_TILES|MAKASAR|MALAYALAM|MANDAIC|MANICHA"
    "EAN|MARCHEN|MASARAM_GONDI|MATHEMATICAL_ALPHANUMERIC_SYMBOLS|MATHEMATICAL_OPERATORS|M"
    "AYAN_NUMERALS|MEDEFAIDRIN|MEETEI_MAYEK|MEETEI_MAYEK_EXTENSIONS|MENDE_KIKAKUI|MEROITI"
    "C_CURSIVE|MEROITIC_HIEROGLYPHS|MIAO|MISCELLANEOUSMATHEMATICALSYMBOLS-A|MISCELLANEOUS"
    "MATHEMATICALSYMBOLS-B|MISCELLANEOUS_SYMBOLS|MISCELLANEOUS_SYMBOLS_AND_ARROWS|MISCELL"
    "ANEOUS_SYMBOLS_AND_PICTOGRAPHS|MISCELLANEOUS_TECHNICAL|MODI|MODIFIER_TONE_LETTERS|MO"
    "NGOLIAN|MONGOLIAN_SUPPLEMENT|MRO|MULTANI|MUSICAL_SYMBOLS|MYANMAR|MYANMAREXTENDED-A|M"
    "YANMAREXTENDED-B|NABATAEAN|NANDINAGARI|NEWA|NEW_TAI_LUE|NKO|NUMBER_FORMS|NUSHU|NYIAK"
    "ENG_PUACHUE_HMONG|OGHAM|OLD_HUNGARIAN|OLD_ITALIC|OLD_NORTH_ARABIAN|OLD_PERMIC|OLD_PE"
    "RSIAN|OLD_SOGDIAN|OLD_SOUTH_ARABIAN|OLD_TURKIC|OL_CHIKI|OPTICAL_CHARACTER_RECOGNITIO"
    "N|ORIYA|ORNAMENTAL_DINGBATS|OSAGE|OSMANYA|OTTOMAN_SIYAQ_NUMBERS|PAHAWH_HMONG|PALMYRE"
    "NE|PAU_CIN_HAU|PHAGS-PA|PHAISTOS_DISC|PHOENICIAN|PHONETIC_EXTENSIONS|PHONETIC_EXTENS"
    "IONS_SUPPLEMENT|PLAYING_CARDS|PRIVATE_USE_AREA|PSALTER_PAHLAVI|REJANG|RUMI_NUMERAL_S"
    "YMBOLS|RUNIC|SAMARITAN|SAURASHTRA|SHARADA|SHAVIAN|SHORTHAND_FORMAT_CONTROLS|SIDDHAM|"
    "SINHALA|SINHALA_ARCHAIC_NUMBERS|SMALL_FORM_VARIANTS|SMALL_KANA_EXTENSION|SOGDIAN|SOR"
    "A_SOMPENG|SOYOMBO|SPACING_MODIFIER_LETTERS|SPECIALS|SUNDANESE|SUNDANESE_SUPPLEMENT|S"
    "UPERSCRIPTS_AND_SUBSCRIPTS|SUPPLEMENTALARROWS-A|SUPPLEMENTALARROWS-B|SUPPLEMENTALARR"
    "OWS-C|SUPPLEMENTAL_MATHEMATICAL_OPERATORS|SUPPLEMENTAL_PUNCTUATION|SUPPLEMENTAL_SYMB"
    "OLS_AND_PICTOGRAPHS|SUPPLEMENTARYPRIVATEUSEAREA-A|SUPPLEMENTARYPRIVATEUSEAREA-B|SUTT"
    "ON_SIGNWRITING|SYLOTI_NAGRI|SYMBOLSANDPICTOGRAPHSEXTENDED-A|SYMBOLS_FOR_LEGACY_COMPU"
    "TING|SYRIAC|SYRIAC_SUPPLEMENT|TAGALOG|TAGBANWA|TAGS|TAI_LE|TAI_THAM|TAI_VIET|TAI_XUA"
    "N_JING_SYMBOLS|TAKRI|TAMIL|TAMIL_SUPPLEMENT|TANGUT|TANGUT_COMPONENTS|TANGUT_SUPPLEME"
    "NT|TELUGU|THAANA|THAI|TIBETAN|TIFINAGH|TIRHUTA|TRANSPORT_AND_MAP_SYMBOLS|UGARITIC|UN"
    "IFIED_CANADIAN_ABORIGINAL_SYLLABICS|UNIFIED_CANADIAN_ABORIGINAL_SYLLABICS_EXTENDED|V"
    "AI|VARIATION_SELECTORS|VARIATION_SELECTORS_SUPPLEMENT|VEDIC_EXTENSIONS|VERTICAL_FORM"
    "S|WANCHO|WARANG_CITI|YEZIDI|YIJING_HEXAGRAM_SYMBOLS|YI_RADICALS|YI_SYLLABLES|ZANABAZ"
    "AR_SQUARE"
)
_BLOCK_EXTRA = (
    "ARABIC EXTENDED-A|ARABIC PRESENTATION FORMS-A|ARABIC PRESENTATION FORMS-B|ARABIC_EXT"
    "ENDED_A|ARABIC_PRESENTATION_FORMS_A|ARABIC_PRESENTATION_FORMS_B|COMBINING DIACRITICA"
    "L MARKS FOR SYMBOLS|CYRILLIC EXTENDED-A|CYRILLIC EXTENDED-B|CYRILLIC EXTENDED-C|CYRI"
    "LLIC SUPPLEMENT|CYRILLIC_EXTENDED_A|CYRILLIC_EXTENDED_B|CYRILLIC_EXTENDED_C|ETHIOPIC"
    " EXTENDED-A|ETHIOPIC_EXTENDED_A|GREEK AND COPTIC|HANGUL JAMO EXTENDED-A|HANGUL JAMO "
    "EXTENDED-B|HANGUL_JAMO_EXTENDED_A|HANGUL_JAMO_EXTENDED_B|KANA EXTENDED-A|KANA_EXTEND"
    "ED_A|LATIN EXTENDED-A|LATIN EXTENDED-B|LATIN EXTENDED-C|LATIN EXTENDED-D|LATIN EXTEN"
    "DED-E|LATIN-1 SUPPLEMENT|LATIN_1_SUPPLEMENT|LATIN_EXTENDED_A|LATIN_EXTENDED_B|LATIN_"
    "EXTENDED_C|LATIN_EXTENDED_D|LATIN_EXTENDED_E|MISCELLANEOUS MATHEMATICAL SYMBOLS-A|MI"
    "SCELLANEOUS MATHEMATICAL SYMBOLS-B|MISCELLANEOUS_MATHEMATICAL_SYMBOLS_A|MISCELLANEOU"
    "S_MATHEMATICAL_SYMBOLS_B|MYANMAR EXTENDED-A|MYANMAR EXTENDED-B|MYANMAR_EXTENDED_A|MY"
    "ANMAR_EXTENDED_B|PHAGS_PA|SUPPLEMENTAL ARROWS-A|SUPPLEMENTAL ARROWS-B|SUPPLEMENTAL A"
    "RROWS-C|SUPPLEMENTAL_ARROWS_A|SUPPLEMENTAL_ARROWS_B|SUPPLEMENTAL_ARROWS_C|SUPPLEMENT"
    "ARY PRIVATE USE AREA-A|SUPPLEMENTARY PRIVATE USE AREA-B|SUPPLEMENTARY_PRIVATE_USE_AR"
    "EA_A|SUPPLEMENTARY_PRIVATE_USE_AREA_B|SURROGATES_AREA|SYMBOLS AND PICTOGRAPHS EXTEND"
    "ED-A|SYMBOLS_AND_PICTOGRAPHS_EXTENDED_A"
)
_SCRIPTS = (
    "ADLAM|ADLM|AGHB|AHOM|ANATOLIAN_HIEROGLYPHS|ARAB|ARABIC|ARMENIAN|ARMI|ARMN|AVESTAN|AV"
    "ST|BALI|BALINESE|BAMU|BAMUM|BASS|BASSA_VAH|BATAK|BATK|BENG|BENGALI|BHAIKSUKI|BHKS|BO"
    "PO|BOPOMOFO|BRAH|BRAHMI|BRAI|BRAILLE|BUGI|BUGINESE|BUHD|BUHID|CAKM|CANADIAN_ABORIGIN"
    "AL|CANS|CARI|CARIAN|CAUCASIAN_ALBANIAN|CHAKMA|CHAM|CHER|CHEROKEE|CHORASMIAN|CHRS|COM"
    "MON|COPT|COPTIC|CPRT|CUNEIFORM|CYPRIOT|CYRILLIC|CYRL|DESERET|DEVA|DEVANAGARI|DIAK|DI"
    "VES_AKURU|DOGR|DOGRA|DSRT|DUPL|DUPLOYAN|EGYP|EGYPTIAN_HIEROGLYPHS|ELBA|ELBASAN|ELYM|"
    "ELYMAIC|ETHI|ETHIOPIC|GEOR|GEORGIAN|GLAG|GLAGOLITIC|GONG|GONM|GOTH|GOTHIC|GRAN|GRANT"
    "HA|GREEK|GREK|GUJARATI|GUJR|GUNJALA_GONDI|GURMUKHI|GURU|HAN|HANG|HANGUL|HANI|HANIFI_"
    "ROHINGYA|HANO|HANUNOO|HATR|HATRAN|HEBR|HEBREW|HIRA|HIRAGANA|HLUW|HMNG|HMNP|HUNG|IMPE"
    "RIAL_ARAMAIC|INHERITED|INSCRIPTIONAL_PAHLAVI|INSCRIPTIONAL_PARTHIAN|ITAL|JAVA|JAVANE"
    "SE|KAITHI|KALI|KANA|KANNADA|KATAKANA|KAYAH_LI|KHAR|KHAROSHTHI|KHITAN_SMALL_SCRIPT|KH"
    "MER|KHMR|KHOJ|KHOJKI|KHUDAWADI|KITS|KNDA|KTHI|LANA|LAO|LAOO|LATIN|LATN|LEPC|LEPCHA|L"
    "IMB|LIMBU|LINA|LINB|LINEAR_A|LINEAR_B|LISU|LYCI|LYCIAN|LYDI|LYDIAN|MAHAJANI|MAHJ|MAK"
    "A|MAKASAR|MALAYALAM|MAND|MANDAIC|MANI|MANICHAEAN|MARC|MARCHEN|MASARAM_GONDI|MEDEFAID"
    "RIN|MEDF|MEETEI_MAYEK|MEND|MENDE_KIKAKUI|MERC|MERO|MEROITIC_CURSIVE|MEROITIC_HIEROGL"
    "YPHS|MIAO|MLYM|MODI|MONG|MONGOLIAN|MRO|MROO|MTEI|MULT|MULTANI|MYANMAR|MYMR|NABATAEAN"
    "|NAND|NANDINAGARI|NARB|NBAT|NEWA|NEW_TAI_LUE|NKO|NKOO|NSHU|NUSHU|NYIAKENG_PUACHUE_HM"
    "ONG|OGAM|OGHAM|OLCK|OLD_HUNGARIAN|OLD_ITALIC|OLD_NORTH_ARABIAN|OLD_PERMIC|OLD_PERSIA"
    "N|OLD_SOGDIAN|OLD_SOUTH_ARABIAN|OLD_TURKIC|OL_CHIKI|ORIYA|ORKH|ORYA|OSAGE|OSGE|OSMA|"
    "OSMANYA|PAHAWH_HMONG|PALM|PALMYRENE|PAUC|PAU_CIN_HAU|PERM|PHAG|PHAGS_PA|PHLI|PHLP|PH"
    "NX|PHOENICIAN|PLRD|PRTI|PSALTER_PAHLAVI|REJANG|RJNG|ROHG|RUNIC|RUNR|SAMARITAN|SAMR|S"
    "ARB|SAUR|SAURASHTRA|SGNW|SHARADA|SHAVIAN|SHAW|SHRD|SIDD|SIDDHAM|SIGNWRITING|SIND|SIN"
    "H|SINHALA|SOGD|SOGDIAN|SOGO|SORA|SORA_SOMPENG|SOYO|SOYOMBO|SUND|SUNDANESE|SYLO|SYLOT"
    "I_NAGRI|SYRC|SYRIAC|TAGALOG|TAGB|TAGBANWA|TAI_LE|TAI_THAM|TAI_VIET|TAKR|TAKRI|TALE|T"
    "ALU|TAMIL|TAML|TANG|TANGUT|TAVT|TELU|TELUGU|TFNG|TGLG|THAA|THAANA|THAI|TIBETAN|TIBT|"
    "TIFINAGH|TIRH|TIRHUTA|UGAR|UGARITIC|UNKNOWN|VAI|VAII|WANCHO|WARA|WARANG_CITI|WCHO|XP"
    "EO|XSUX|YEZI|YEZIDI|YI|YIII|ZANABAZAR_SQUARE|ZANB|ZINH|ZYYY|ZZZZ"
)
