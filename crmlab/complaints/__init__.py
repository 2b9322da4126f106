"""Complaints and customer care: the complaint iceberg, service recovery and complaint logs.

Chapter 4. Only about 4 in 100 dissatisfied customers complain (the complaint iceberg,
投诉冰山); the rest leave quietly. A complaint is therefore a chance to win a customer back
(service recovery), and the complaint log is data worth analysing.

- :mod:`~crmlab.complaints.iceberg` — the complaint iceberg and service recovery;
- :mod:`~crmlab.complaints.log` — complaint-log analysis on a customer world.
"""

from crmlab.complaints.iceberg import ComplaintIceberg, ServiceRecovery
from crmlab.complaints.log import complaint_log_summary, repurchase_after_complaint, repurchase_summary

__all__ = [
    "ComplaintIceberg",
    "ServiceRecovery",
    "complaint_log_summary",
    "repurchase_after_complaint",
    "repurchase_summary",
]
