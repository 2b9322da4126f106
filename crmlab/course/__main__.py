"""``python -m crmlab.course``: the same as the ``crmlab course`` command."""

import sys

from crmlab.course.cli import main

sys.exit(main())
