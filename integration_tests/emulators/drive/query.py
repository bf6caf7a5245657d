"""The files.list `q` language: a small tokenizer + recursive-descent parser producing a predicate.

Supported (developers.google.com/drive/api/guides/ref-search-terms), anything else is QueryError
(→ 400 invalid, location q):
    name|mimeType  (= | != | contains) 'text'
    trashed|starred  (= | !=) true|false
    modifiedTime|createdTime  (= != < <= > >=) 'RFC 3339'
    'id' in parents      'me'|'email' in owners
    appProperties|properties has { key='k' and value='v' }
    and, or, not, parentheses
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Callable, Protocol

Predicate = Callable[["QueryContext", object], bool]


class QueryError(ValueError):
    """Invalid or unsupported query."""


class QueryContext(Protocol):
    def resolve_id(self, file_id: str) -> str: ...   # "root" → the My Drive root id
    def owner_emails(self, record) -> list[str]: ...


@dataclass(frozen=True)
class Token:
    kind: str   # "str", "word", "op", "punct"
    text: str


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")
_OPS = ("!=", "<=", ">=", "=", "<", ">")


def tokenize(q: str) -> list[Token]:
    tokens, pos = [], 0
    while pos < len(q):
        char = q[pos]
        if char.isspace():
            pos += 1
        elif char == "'":
            text, pos = _read_string(q, pos + 1)
            tokens.append(Token("str", text))
        elif char in "(){}":
            tokens.append(Token("punct", char))
            pos += 1
        elif q.startswith(_OPS, pos):
            op = next(op for op in _OPS if q.startswith(op, pos))
            tokens.append(Token("op", op))
            pos += len(op)
        elif match := _WORD.match(q, pos):
            tokens.append(Token("word", match.group(0)))
            pos = match.end()
        else:
            raise QueryError(f"unexpected character {char!r} at {pos}")
    return tokens


def _read_string(q: str, pos: int) -> tuple[str, int]:
    out = []
    while pos < len(q):
        char = q[pos]
        if char == "\\":
            if pos + 1 >= len(q) or q[pos + 1] not in "'\\":
                raise QueryError("only \\' and \\\\ may be escaped in a string")
            out.append(q[pos + 1])
            pos += 2
        elif char == "'":
            return "".join(out), pos + 1
        else:
            out.append(char)
            pos += 1
    raise QueryError("unterminated string")


class _Parser:
    def __init__(self, tokens: list[Token]):
        self.tokens, self.pos = tokens, 0

    def peek(self, offset: int = 0) -> Token | None:
        index = self.pos + offset
        return self.tokens[index] if index < len(self.tokens) else None

    def take(self, kind: str | None = None, text: str | None = None) -> Token:
        token = self.peek()
        if token is None or (kind and token.kind != kind) or (text and token.text != text):
            raise QueryError(f"expected {text or kind}, got {token.text if token else 'end of query'}")
        self.pos += 1
        return token

    def at_word(self, word: str) -> bool:
        token = self.peek()
        return token is not None and token.kind == "word" and token.text.lower() == word

    def parse(self) -> Predicate:
        if not self.tokens:
            raise QueryError("empty query")
        predicate = self.or_expr()
        if self.peek() is not None:
            raise QueryError(f"unexpected {self.peek().text}")
        return predicate

    def or_expr(self) -> Predicate:
        parts = [self.and_expr()]
        while self.at_word("or"):
            self.pos += 1
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else (lambda ctx, r: any(p(ctx, r) for p in parts))

    def and_expr(self) -> Predicate:
        parts = [self.unary()]
        while self.at_word("and"):
            self.pos += 1
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else (lambda ctx, r: all(p(ctx, r) for p in parts))

    def unary(self) -> Predicate:
        if self.at_word("not"):
            self.pos += 1
            inner = self.unary()
            return lambda ctx, r: not inner(ctx, r)
        token = self.peek()
        if token is not None and token.kind == "punct" and token.text == "(":
            self.pos += 1
            inner = self.or_expr()
            self.take("punct", ")")
            return inner
        return self.term()

    def term(self) -> Predicate:
        token = self.peek()
        if token is not None and token.kind == "str":
            return self.membership()
        field = self.take("word").text
        if self.at_word("has"):
            self.pos += 1
            return self.has_term(field)
        op = self.take("op").text if self.peek() and self.peek().kind == "op" else self.take("word").text
        return _comparison(field, op, self.take())

    def membership(self) -> Predicate:
        value = self.take("str").text
        if not self.at_word("in"):
            raise QueryError("a quoted value must be followed by 'in'")
        self.pos += 1
        field = self.take("word").text
        if field == "parents":
            return lambda ctx, r: ctx.resolve_id(value) in r.parents
        if field == "owners":
            return lambda ctx, r: value in ctx.owner_emails(r)
        raise QueryError(f"unsupported collection {field}")

    def has_term(self, field: str) -> Predicate:
        if field not in ("appProperties", "properties"):
            raise QueryError(f"'has' is not supported on {field}")
        self.take("punct", "{")
        key = self._pair("key")
        if not self.at_word("and"):
            raise QueryError("expected 'and value=...' in has { }")
        self.pos += 1
        value = self._pair("value")
        self.take("punct", "}")
        attr = "app_properties" if field == "appProperties" else "properties"
        return lambda ctx, r: (getattr(r, attr) or {}).get(key) == value

    def _pair(self, word: str) -> str:
        if not self.at_word(word):
            raise QueryError(f"expected {word}=")
        self.pos += 1
        self.take("op", "=")
        return self.take("str").text


_TEXT_FIELDS = {"name": "name", "mimeType": "mime_type"}
_BOOL_FIELDS = {"trashed": "trashed", "starred": "starred"}
_TIME_FIELDS = {"modifiedTime": "modified_time", "createdTime": "created_time"}
_ORDER = {"=": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b,
          "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}


def _comparison(field: str, op: str, value: Token) -> Predicate:
    if field in _TEXT_FIELDS:
        return _text_comparison(_TEXT_FIELDS[field], field, op, value)
    if field in _BOOL_FIELDS:
        if op not in ("=", "!=") or value.kind != "word" or value.text not in ("true", "false"):
            raise QueryError(f"{field} supports = or != with true/false")
        attr, wanted = _BOOL_FIELDS[field], value.text == "true"
        return lambda ctx, r: (bool(getattr(r, attr, False)) == wanted) == (op == "=")
    if field in _TIME_FIELDS:
        if op not in _ORDER or value.kind != "str":
            raise QueryError(f"{field} needs a comparison with a quoted RFC 3339 time")
        attr, limit, compare = _TIME_FIELDS[field], parse_time(value.text), _ORDER[op]
        return lambda ctx, r: compare(parse_time(getattr(r, attr)), limit)
    raise QueryError(f"unsupported field {field}")


def _text_comparison(attr: str, field: str, op: str, value: Token) -> Predicate:
    if value.kind != "str" or op not in ("=", "!=", "contains"):
        raise QueryError(f"{field} supports =, != and contains with a quoted string")
    text = value.text
    if op == "contains":
        if attr == "name":
            return lambda ctx, r: word_prefix_match(r.name, text)
        return lambda ctx, r: text.lower() in (getattr(r, attr) or "").lower()
    if attr == "name":  # Drive compares names case-insensitively
        equal = lambda ctx, r: r.name.casefold() == text.casefold()  # noqa: E731
    else:
        equal = lambda ctx, r: getattr(r, attr) == text  # noqa: E731
    return equal if op == "=" else (lambda ctx, r: not equal(ctx, r))


def word_prefix_match(name: str, text: str) -> bool:
    """Drive's `name contains` matches prefixes of the name's words ("HelloWorld" ~ 'Hello', not 'World')."""
    name, text = name.casefold(), text.casefold()
    if name.startswith(text):
        return True
    starts = [m.start() for m in re.finditer(r"(?<![0-9a-z])[0-9a-z]", name)]
    return any(name.startswith(text, start) for start in starts)


def parse_time(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise QueryError(f"invalid time {text!r}") from exc
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


# kopia/kopia#90: files.list is not read-after-write consistent for name terms (exact or partial),
# while parents and mimeType terms are. Nothing documents property terms either way: they are
# treated as indexed too, the cautious belief (the emulator's search-lag switch).
_INDEXED_FIELDS = frozenset({"name", "fullText", "appProperties", "properties"})


def uses_search_index(q: str) -> bool:
    """Whether the query has a term answered from the (lagging) search index."""
    return any(t.kind == "word" and t.text in _INDEXED_FIELDS for t in tokenize(q))


def compile_query(q: str) -> Predicate:
    """Parse `q` into predicate(ctx, record) -> bool; QueryError when invalid or unsupported."""
    return _Parser(tokenize(q)).parse()
