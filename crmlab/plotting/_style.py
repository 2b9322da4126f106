"""Figure defaults readable on a projector: larger text and thicker lines, same figure size.

``with crmlab.plotting.projector(): ...`` (or ``set_projector()`` for a whole
lecture session) raises font sizes and line widths so that a figure drawn at
the course's usual size stays legible from the back of a lecture room. The
figure size and resolution are left alone, so a chapter's stored outputs keep
the same ``<Figure size ...>`` line under nbval.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["PROJECTOR_RC", "projector", "set_projector"]

#: Matplotlib settings for projected figures (sizes in points).
PROJECTOR_RC = {
    "font.size": 13,
    "axes.titlesize": 15,
    "axes.labelsize": 13,
    "xtick.labelsize": 12,
    "ytick.labelsize": 12,
    "legend.fontsize": 12,
    "lines.linewidth": 2.2,
    "lines.markersize": 7,
    "axes.linewidth": 1.2,
    "grid.linewidth": 1.0,
}


@contextmanager
def projector() -> Iterator[None]:
    """Context in which new figures use :data:`PROJECTOR_RC`; draw (``plt.show()``) inside the block.

    Yields
    ------
    None
        Matplotlib's settings are those of :data:`PROJECTOR_RC` inside the block
        and come back unchanged after it.

    See Also
    --------
    set_projector : The same for the rest of the session.

    Examples
    --------
    >>> import matplotlib
    >>> from crmlab.plotting import projector
    >>> with projector():
    ...     matplotlib.rcParams["axes.titlesize"]
    15.0
    """
    import matplotlib

    with matplotlib.rc_context(PROJECTOR_RC):
        yield


def set_projector() -> None:
    """Use :data:`PROJECTOR_RC` for the rest of the session.

    See Also
    --------
    projector : The same for a block of code only.

    Examples
    --------
    Inside ``matplotlib.rc_context()`` the change is undone when the block ends:

    >>> import matplotlib
    >>> from crmlab.plotting import set_projector
    >>> with matplotlib.rc_context():
    ...     set_projector()
    ...     matplotlib.rcParams["lines.linewidth"]
    2.2
    """
    import matplotlib

    matplotlib.rcParams.update(PROJECTOR_RC)
