"""YAML reading that keeps line numbers, so every definition error can say file:line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import DefinitionError, Issue

_BaseLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class MarkedDict(dict):
    """A mapping read from YAML; `line` is its first line, `key_lines` the line of each key."""

    __slots__ = ("line", "key_lines")

    def line_of(self, key: str) -> int:
        """Return the line of `key` (or of the mapping when the key is absent)."""
        return self.key_lines.get(key, self.line)


class MarkedList(list):
    """A sequence read from YAML; `line` is its first line."""

    __slots__ = ("line",)


class _DuplicateKey(Exception):
    def __init__(self, key: Any, line: int) -> None:
        super().__init__(key, line)
        self.key = key
        self.line = line


class _MarkedLoader(_BaseLoader):
    """Safe loader building MarkedDict / MarkedList and rejecting duplicate keys."""


def _construct_mapping(loader: Any, node: yaml.MappingNode) -> MarkedDict:
    loader.flatten_mapping(node)
    result = MarkedDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, str | int | float | bool) or key in result:
            raise _DuplicateKey(key, line)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = line
    return result


def _construct_sequence(loader: Any, node: yaml.SequenceNode) -> MarkedList:
    result = MarkedList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    return result


_MarkedLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_MarkedLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def read_yaml(path: Path) -> Any:
    """Read a YAML file into MarkedDict / MarkedList trees; DefinitionError on any syntax problem."""
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise DefinitionError([Issue(file, None, f"cannot read the file: {error}")]) from None
    try:
        return yaml.load(text, Loader=_MarkedLoader)  # noqa: S506 - a safe loader subclass
    except _DuplicateKey as error:
        raise DefinitionError([Issue(file, error.line, f"duplicate key '{error.key}'")]) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = " ".join(part for part in (error.context, error.problem) if part)
        raise DefinitionError([Issue(file, line, f"invalid YAML: {problem}")]) from None
    except yaml.YAMLError as error:
        raise DefinitionError([Issue(file, None, f"invalid YAML: {error}")]) from None


def plain(value: Any) -> Any:
    """Return `value` with MarkedDict / MarkedList replaced by plain dicts and lists."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value
