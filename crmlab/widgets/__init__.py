"""Live demonstrations for the lecture: move a control, watch a crmlab number and figure change.

=================================  ==========================================================  =======
function                           idea                                                        chapter
=================================  ==========================================================  =======
:func:`satisfaction_demo`          satisfaction as perceived / expected value                  4
:func:`iceberg_demo`               the complaint iceberg                                       4
:func:`retention_clv_demo`         retention → CLV                                             6
:func:`probability_alive_demo`     P(alive) as recency and frequency change                    6
:func:`accumulation_demo`          the accumulation effect: B/A as A loses customers           7
=================================  ==========================================================  =======

Each returns a :class:`Demo`. In a live notebook it is an ipywidgets control panel over a
figure; on the course site and under nbval (``CRMLAB_WIDGETS=static``, set by
``crmlab course execute`` and the test configuration) it is a static, deterministic figure of
the initial values. ipywidgets is needed only in live mode (the ``notebooks`` extra).
"""

from crmlab.widgets._core import ENV_VAR, Demo, widget_mode
from crmlab.widgets.accumulation import accumulation_demo
from crmlab.widgets.iceberg import iceberg_demo
from crmlab.widgets.palive import probability_alive_demo
from crmlab.widgets.retention import retention_clv_demo
from crmlab.widgets.satisfaction import satisfaction_demo

__all__ = [
    "ENV_VAR",
    "Demo",
    "accumulation_demo",
    "iceberg_demo",
    "probability_alive_demo",
    "retention_clv_demo",
    "satisfaction_demo",
    "widget_mode",
]
