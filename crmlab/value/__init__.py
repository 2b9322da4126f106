"""Customer value (客户价值): what an offer is worth to a customer, and what a customer is worth to the firm.

Chapter 2. The frame is IDIC (identify, differentiate, interact, customise):
the customer database of chapter 1 *identifies* customers; this module
*differentiates* them.

=============================  =======================================================================
``customer_delivered_value``   Kotler's customer delivered value of competing offers (顾客让渡价值)
``customer_revenue``           revenue per customer from a transaction log
``revenue_concentration``      the 80/20 table: revenue share of the top x% of customers (二八法则)
``lorenz_curve``, ``gini_coefficient``  how unequal revenue is across customers
``scale_tiers``                large / medium / small / sporadic customers by cumulative revenue share
``customer_value_matrix``      current × potential value quadrants with strategies (客户价值矩阵)
``customer_growth_matrix``     revenue split into retention / cross-selling / acquisition / diversification
``customer_ordering``          credit × scale × loyalty → ranked classes (客户顺序模型)
``ordering_classes``           the classes in the lecture's priority order
``IDIC``                       the four steps of one-to-one marketing, mapped onto crmlab
=============================  =======================================================================
"""

from crmlab.value.concentration import (
    customer_revenue,
    gini_coefficient,
    lorenz_curve,
    revenue_concentration,
    scale_tiers,
)
from crmlab.value.delivered import COST_COMPONENTS, VALUE_COMPONENTS, customer_delivered_value
from crmlab.value.matrix import GROWTH_MATRIX, VALUE_MATRIX, customer_growth_matrix, customer_value_matrix
from crmlab.value.ordering import FACTORS, IDIC, customer_ordering, ordering_classes

__all__ = [
    "COST_COMPONENTS",
    "FACTORS",
    "GROWTH_MATRIX",
    "IDIC",
    "VALUE_COMPONENTS",
    "VALUE_MATRIX",
    "customer_delivered_value",
    "customer_growth_matrix",
    "customer_ordering",
    "customer_revenue",
    "customer_value_matrix",
    "gini_coefficient",
    "lorenz_curve",
    "ordering_classes",
    "revenue_concentration",
    "scale_tiers",
]
