"""`fields` masks (partial responses): parse, validate against the discovery schema, project.

Grammar (developers.google.com/drive/api/guides/fields-parameter):
    mask := item ("," item)* ;  item := path ["(" mask ")"] ;  path := name ("/" name)* ;  name := ident | "*"
A parsed mask is a tree: {name: subtree or None (= everything below)}.
"""
from __future__ import annotations

import functools
import json
import re

import googleapiclient.discovery_cache

_TOKEN = re.compile(r"\s*([A-Za-z0-9_.\-]+|\*|[,/()])")


class FieldsError(ValueError):
    """The mask does not parse or names a field the resource does not have."""


def parse(mask: str) -> dict:
    tokens = _tokenize(mask)
    tree, pos = _parse_mask(tokens, 0)
    if pos != len(tokens):
        raise FieldsError(f"Invalid field selection {mask}")
    return tree


def _tokenize(mask: str) -> list[str]:
    tokens, pos = [], 0
    mask = mask.strip()
    while pos < len(mask):
        match = _TOKEN.match(mask, pos)
        if not match:
            raise FieldsError(f"Invalid field selection {mask}")
        tokens.append(match.group(1))
        pos = match.end()
        while pos < len(mask) and mask[pos].isspace():
            pos += 1
    if not tokens:
        raise FieldsError("Invalid field selection (empty)")
    return tokens


def _parse_mask(tokens: list[str], pos: int) -> tuple[dict, int]:
    tree: dict = {}
    while True:
        pos = _parse_item(tokens, pos, tree)
        if pos < len(tokens) and tokens[pos] == ",":
            pos += 1
            continue
        return tree, pos


def _parse_item(tokens: list[str], pos: int, tree: dict) -> int:
    path = [_name(tokens, pos)]
    pos += 1
    while pos < len(tokens) and tokens[pos] == "/":
        path.append(_name(tokens, pos + 1))
        pos += 2
    sub = None
    if pos < len(tokens) and tokens[pos] == "(":
        sub, pos = _parse_mask(tokens, pos + 1)
        if pos >= len(tokens) or tokens[pos] != ")":
            raise FieldsError("Invalid field selection: unbalanced parentheses")
        pos += 1
    _merge(tree, path, sub)
    return pos


def _name(tokens: list[str], pos: int) -> str:
    if pos >= len(tokens) or tokens[pos] in ",/()":
        raise FieldsError("Invalid field selection: a field name is missing")
    return tokens[pos]


def _merge(tree: dict, path: list[str], sub: dict | None) -> None:
    head, rest = path[0], path[1:]
    leaf = _nest(rest, sub)
    if head in tree and (tree[head] is None or leaf is None):
        tree[head] = None  # a bare field wins over a narrower selection of it
    elif head in tree:
        for key, value in leaf.items():
            _merge(tree[head], [key], value)
    else:
        tree[head] = leaf


def _nest(path: list[str], sub: dict | None) -> dict | None:
    for name in reversed(path):
        sub = {name: sub}
    return sub


def validate(tree: dict, schema: dict | None, prefix: str = "") -> None:
    """Raise FieldsError for a name the schema does not know. schema None = free-form map."""
    if schema is None:
        return
    for name, sub in tree.items():
        if name == "*":
            continue
        if name not in schema:
            raise FieldsError(f"Invalid field selection {prefix}{name}")
        if sub is not None:
            validate(sub, schema[name], f"{prefix}{name}/")


def project(value, tree: dict | None):
    """Keep only what the mask selects; lists are projected element-wise."""
    if tree is None:
        return value
    if isinstance(value, list):
        return [project(item, tree) for item in value]
    if not isinstance(value, dict):
        return value
    if "*" in tree and tree["*"] is None:
        return value
    out = {}
    for key, item in value.items():
        if key in tree:
            out[key] = project(item, tree[key])
        elif "*" in tree:
            out[key] = project(item, tree["*"])
    return out


@functools.lru_cache(maxsize=None)
def _discovery_schemas() -> dict:
    doc = json.loads(googleapiclient.discovery_cache.get_static_doc("drive", "v3"))
    return doc["schemas"]


@functools.lru_cache(maxsize=None)
def schema(resource: str) -> dict:
    """Field tree of a discovery-document resource ("File", "FileList", "About", ...)."""
    return _schema_node({"$ref": resource}, _discovery_schemas(), {})


def _schema_node(node: dict, schemas: dict, memo: dict):
    if "$ref" in node:
        ref = node["$ref"]
        if ref not in memo:
            memo[ref] = {}  # placeholder first: schemas may refer to themselves
            memo[ref].update(_schema_node(schemas[ref], schemas, memo) or {})
        return memo[ref]
    if node.get("type") == "array":
        return _schema_node(node.get("items", {}), schemas, memo)
    if "properties" in node:
        return {name: _schema_node(prop, schemas, memo) for name, prop in node["properties"].items()}
    return None


def select(body: dict, mask: str | None, resource: str, default: str) -> dict:
    """Parse + validate `mask` (or the default) for `resource` and project `body`."""
    tree = parse(mask if mask else default)
    validate(tree, schema(resource))
    return project(body, tree)
