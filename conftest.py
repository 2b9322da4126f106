"""Root pytest configuration, loaded for ``pytest tests`` and ``pytest notebooks/... --nbval`` alike.

The notebook kernels nbval starts inherit this process's environment: the live demonstrations
of :mod:`crmlab.widgets` show their static figure there, as in the stored outputs written by
``crmlab course execute``.
"""

import os

os.environ["CRMLAB_WIDGETS"] = "static"
