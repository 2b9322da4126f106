"""crmlab: customer relationship management analytics for teaching and research.

The package follows the course: one module per concept, each used by one chapter
notebook (see the README's chapter table).

=====================  ==========================================================
module                 concept
=====================  ==========================================================
``datasets``           shipped real data (CDNOW, donations, sBG, ECSI, yogurt)
``synth``              synthetic customer worlds with known ground truth
``database``           the customer database (SQLite)
``value``              customer value, the 80/20 rule, the ordering model
``rfm``                RFM summaries and scores
``segmentation``       clustering segmentation, choosing k, stability, profiles
``satisfaction``       satisfaction, service gaps, NPS, Kano, PLS path model
``complaints``         the complaint iceberg and complaint handling
``loyalty``            loyalty indicators, ladder, types, switching
``clv``                customer lifetime value: formulas, sBG, BTYD models
``accumulation``       the customer accumulation effect and customer equity
``experiments``        segmentation experiment grids for researchers
``plotting``           ``plot_*`` functions (the only module importing matplotlib)
=====================  ==========================================================

Submodules are imported on first use, so ``import crmlab`` stays fast and has
no side effects.
"""

from __future__ import annotations

import importlib
from typing import Any

from crmlab import datasets
from crmlab._validation import CrmlabWarning

__version__ = "0.1.0"

_LAZY_MODULES = (
    "accumulation",
    "clv",
    "complaints",
    "course",
    "database",
    "experiments",
    "glossary",
    "loyalty",
    "plotting",
    "rfm",
    "satisfaction",
    "segmentation",
    "synth",
    "value",
)

__all__ = ["CrmlabWarning", "__version__", "datasets", *_LAZY_MODULES]


def __getattr__(name: str) -> Any:
    if name in _LAZY_MODULES:
        module = importlib.import_module(f"crmlab.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'crmlab' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY_MODULES))
