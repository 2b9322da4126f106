"""Locate and copy the offline web assets: MathJax (formulas) and reveal.js (slides).

Both come from installed PyPI packages, so built pages never load anything from
the network: MathJax 2.7 from ``jupyter-server-mathjax`` and reveal.js from
``sphinx-revealjs`` (which bundles an unmodified reveal.js distribution).
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

__all__ = ["MATHJAX_CONFIG", "copy_mathjax", "copy_reveal", "mathjax_dir", "reveal_dir", "templates_dir"]

MATHJAX_CONFIG = "TeX-AMS-MML_HTMLorMML-full,Safe"


def _package_dir(package: str, extra: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            f"the package providing offline assets ({package}) is not installed; "
            "install crmlab with the 'notebooks' extra (make install does)."
        )
    return Path(next(iter(spec.submodule_search_locations))) / extra


def mathjax_dir() -> Path:
    """Return the folder holding ``MathJax.js`` (from jupyter-server-mathjax).

    Returns
    -------
    pathlib.Path
        The installed package's ``static`` folder.

    Raises
    ------
    RuntimeError
        If jupyter-server-mathjax is not installed.

    Examples
    --------
    >>> (mathjax_dir() / "MathJax.js").is_file()
    True
    """
    return _package_dir("jupyter_server_mathjax", "static")


def reveal_dir() -> Path:
    """Return the reveal.js distribution folder (``dist/``, ``plugin/``) bundled by sphinx-revealjs.

    Returns
    -------
    pathlib.Path
        The installed package's ``_static/revealjs`` folder.

    Raises
    ------
    RuntimeError
        If sphinx-revealjs is not installed.

    Examples
    --------
    >>> (reveal_dir() / "dist").is_dir()
    True
    """
    return _package_dir("sphinx_revealjs", "_static/revealjs")


def templates_dir() -> Path:
    """Return crmlab's nbconvert templates folder.

    Returns
    -------
    pathlib.Path
        ``crmlab/course/templates``, shipped with the package.

    Examples
    --------
    >>> templates_dir().name
    'templates'
    """
    return Path(__file__).resolve().parent / "templates"


def _copy(src: Path, dest: Path) -> Path:
    if not dest.exists():
        shutil.copytree(src, dest)
    return dest


def copy_mathjax(static: Path) -> Path:
    """Copy MathJax into ``static/mathjax`` (once) and return that folder.

    Parameters
    ----------
    static : pathlib.Path
        The site's folder of static files; an existing ``mathjax`` folder in it is kept as it is.

    Returns
    -------
    pathlib.Path
        ``static / "mathjax"``.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     (Path(tmp) / "mathjax").mkdir()  # copied before: kept, nothing is copied again
    ...     copy_mathjax(Path(tmp)) == Path(tmp) / "mathjax"
    True
    """
    return _copy(mathjax_dir(), Path(static) / "mathjax")


def copy_reveal(static: Path) -> Path:
    """Copy reveal.js into ``static/reveal.js`` (once) and return that folder.

    Parameters
    ----------
    static : pathlib.Path
        The deck's folder of static files; an existing ``reveal.js`` folder in it is kept as it is.

    Returns
    -------
    pathlib.Path
        ``static / "reveal.js"``.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     (Path(tmp) / "reveal.js").mkdir()  # copied before: kept, nothing is copied again
    ...     copy_reveal(Path(tmp)) == Path(tmp) / "reveal.js"
    True
    """
    return _copy(reveal_dir(), Path(static) / "reveal.js")
