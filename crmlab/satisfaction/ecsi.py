"""The European Customer Satisfaction Index (ECSI) model as data, for the ``mobi`` survey.

Chapter 4. Seven constructs (image, expectations, perceived quality, perceived value,
satisfaction, complaints, loyalty) and the twelve inner paths of the standard ECSI model.
"""

from __future__ import annotations

from typing import Any

from crmlab.satisfaction.pls import PLSPathModel

__all__ = ["ECSI_BLOCKS", "ECSI_LAYOUT", "ECSI_PATHS", "ecsi_model"]

#: Construct -> item columns of the ECSI mobile-phone survey (``crmlab.datasets.load_mobi``).
#: A plain dict (so estimators holding it can be cloned and pickled); copy it before changing it.
ECSI_BLOCKS: dict[str, tuple[str, ...]] = {
    "Image": ("IMAG1", "IMAG2", "IMAG3", "IMAG4", "IMAG5"),
    "Expectation": ("CUEX1", "CUEX2", "CUEX3"),
    "Quality": ("PERQ1", "PERQ2", "PERQ3", "PERQ4", "PERQ5", "PERQ6", "PERQ7"),
    "Value": ("PERV1", "PERV2"),
    "Satisfaction": ("CUSA1", "CUSA2", "CUSA3"),
    "Complaints": ("CUSCO",),
    "Loyalty": ("CUSL1", "CUSL2", "CUSL3"),
}

#: The inner (structural) model of ECSI as (cause, effect) pairs.
ECSI_PATHS = (
    ("Image", "Expectation"),
    ("Image", "Satisfaction"),
    ("Image", "Loyalty"),
    ("Expectation", "Quality"),
    ("Expectation", "Value"),
    ("Expectation", "Satisfaction"),
    ("Quality", "Value"),
    ("Quality", "Satisfaction"),
    ("Value", "Satisfaction"),
    ("Satisfaction", "Complaints"),
    ("Satisfaction", "Loyalty"),
    ("Complaints", "Loyalty"),
)

#: (x, y) positions of the constructs for a path diagram (causes left, consequences right).
ECSI_LAYOUT: dict[str, tuple[float, float]] = {
    "Image": (0.0, 2.0),
    "Expectation": (0.0, 0.3),
    "Quality": (0.0, -1.5),
    "Value": (1.6, -0.9),
    "Satisfaction": (2.6, 0.8),
    "Complaints": (4.0, -0.6),
    "Loyalty": (4.3, 2.0),
}


def ecsi_model(**kwargs: Any) -> PLSPathModel:
    """Return an unfitted :class:`PLSPathModel` with the ECSI blocks and paths.

    Chapter 4: the satisfaction-index model of European national surveys, in the variant of
    Tenenhaus et al. (2005) for the mobile-phone survey.

    Parameters
    ----------
    **kwargs
        Passed to :class:`PLSPathModel` (``scheme``, ``scale``, ``max_iter``, ``tol``...).

    Returns
    -------
    PLSPathModel

    See Also
    --------
    PLSPathModel, crmlab.datasets.load_mobi, crmlab.plotting.plot_path_diagram

    Notes
    -----
    Image drives expectations, satisfaction and loyalty; expectations drive perceived quality,
    value and satisfaction; quality drives value and satisfaction; value drives satisfaction;
    satisfaction drives complaints (handling) and loyalty; complaints drive loyalty.

    References
    ----------
    Tenenhaus, M., Esposito Vinzi, V., Chatelin, Y.-M., & Lauro, C. (2005). PLS path modeling.
    *Computational Statistics & Data Analysis*, 48(1), 159–205.

    Examples
    --------
    >>> from crmlab.datasets import load_mobi
    >>> model = ecsi_model().fit(load_mobi())
    >>> round(float(model.r2_["Loyalty"]), 3)
    0.457
    """
    return PLSPathModel({k: list(v) for k, v in ECSI_BLOCKS.items()}, list(ECSI_PATHS), **kwargs)
