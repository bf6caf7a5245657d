"""A Drive listing ("Qonto/Main/2025-04/file.pdf" paths) drawn as a tree, long folders shortened."""

from __future__ import annotations


def build(paths: list[str]) -> dict:
    """Nested dicts: folder name → children; a file maps to None. 'a/b/' is an empty folder."""
    root: dict = {}
    for path in paths:
        parts = path.split("/")
        node = root
        for folder in parts[:-1]:
            node = node.setdefault(folder, {})
        if parts[-1]:
            node[parts[-1]] = None
    return root


def render(paths: list[str], max_files: int = 3) -> list[str]:
    """Tree lines; each folder shows its subfolders and at most `max_files` files, then a count."""
    return _render(build(paths), "", max_files)


def _render(node: dict, prefix: str, max_files: int) -> list[str]:
    folders = sorted(name for name, child in node.items() if child is not None)
    files = sorted(name for name, child in node.items() if child is None)
    shown: list[tuple[str, dict | None]] = [(name, node[name]) for name in folders]
    shown += [(name, None) for name in files[:max_files]]
    hidden = len(files) - len(files[:max_files])
    lines = []
    for index, (name, child) in enumerate(shown):
        last = index == len(shown) - 1 and not hidden
        branch, extension = ("└── ", "    ") if last else ("├── ", "│   ")
        if child is None:
            lines.append(f"{prefix}{branch}{name}")
            continue
        count = sum(1 for grandchild in child.values() if grandchild is None)
        label = f"{name}/" + (f"  ({count} file{'s' if count != 1 else ''})" if count else "")
        lines.append(f"{prefix}{branch}{label}")
        lines += _render(child, prefix + extension, max_files)
    if hidden:
        lines.append(f"{prefix}└── … {hidden} more")
    return lines
