"""Building the course: execute chapters, read their metadata, write the site.

Used by ``make course`` and the ``crmlab course`` command; not needed for
the analytics themselves.

The names below are imported lazily (module ``__getattr__``, PEP 562): the
chapters import :mod:`crmlab.course.prose` in every kernel, and that must not
pull in nbformat and jsonschema, which only the build needs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from crmlab.course.execute import ChapterError, execute_notebook, execute_notebooks
    from crmlab.course.meta import ChapterMeta, chapter_meta, find_chapters

__all__ = [
    "ChapterError",
    "ChapterMeta",
    "chapter_meta",
    "execute_notebook",
    "execute_notebooks",
    "find_chapters",
]

#: Where each public name lives; imported on first access.
_LAZY = {
    "ChapterError": "crmlab.course.execute",
    "execute_notebook": "crmlab.course.execute",
    "execute_notebooks": "crmlab.course.execute",
    "ChapterMeta": "crmlab.course.meta",
    "chapter_meta": "crmlab.course.meta",
    "find_chapters": "crmlab.course.meta",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
