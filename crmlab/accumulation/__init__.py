"""The customer accumulation effect and customer-base dynamics (chapter 7).

=================  ==============================================================
module             concept
=================  ==============================================================
``twostore``       the lecture's two-store table (顾客累加效应) and its closed form
``dynamics``       a Markov chain over {A, B, neither}: paths, steady state, simulation
``equity``         ``N(t+1) = r N(t) + a``; customer equity and the retention lever
``leakage``        the silent dissatisfied (complaint iceberg) and the value-chain rule
=================  ==============================================================
"""

from __future__ import annotations

from crmlab.accumulation.dynamics import STATES, AccumulationChain
from crmlab.accumulation.equity import CustomerEquity, customer_base_path, steady_state_customers
from crmlab.accumulation.leakage import ComplaintLeakage, relationship_strength, value_chain_table
from crmlab.accumulation.twostore import LECTURE_LOSSES, TwoStoreMarket, accumulation_table

__all__ = [
    "LECTURE_LOSSES",
    "STATES",
    "AccumulationChain",
    "ComplaintLeakage",
    "CustomerEquity",
    "TwoStoreMarket",
    "accumulation_table",
    "customer_base_path",
    "relationship_strength",
    "steady_state_customers",
    "value_chain_table",
]
