"""Building the course: execute chapters, read their metadata, write the site.

Used by ``make course`` and the ``crmlab course`` command; not needed for
the analytics themselves.
"""

from __future__ import annotations

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
