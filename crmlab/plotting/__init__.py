"""Plotting functions for every chapter: ``plot_<thing>(..., ax=None) -> Axes``.

This is the only part of crmlab that imports matplotlib. Each concept has its
own submodule (``crmlab.plotting.rfm``, ``crmlab.plotting.clv``, ...); every
``plot_*`` function of every submodule is re-exported here, so
``from crmlab.plotting import plot_lorenz_curve`` works whichever file defines it.

Figures speak English or Chinese: ``with crmlab.plotting.language("zh"): ...``
or ``crmlab.plotting.set_language("zh")`` (see :mod:`crmlab.plotting._labels`);
``with crmlab.plotting.projector(): ...`` makes text and lines large enough to project.
"""

from __future__ import annotations

import importlib
import pkgutil

from crmlab.plotting._labels import CJKFontWarning, get_language, language, set_language
from crmlab.plotting._style import PROJECTOR_RC, projector, set_projector

__all__: list[str] = [
    "PROJECTOR_RC",
    "CJKFontWarning",
    "get_language",
    "language",
    "projector",
    "set_language",
    "set_projector",
]


def _collect() -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for name in getattr(module, "__all__", dir(module)):
            if name.startswith("plot_"):
                globals()[name] = getattr(module, name)
                __all__.append(name)
    __all__.sort()


_collect()
