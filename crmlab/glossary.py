"""The course glossary: every key term in English and Chinese, with definitions in both languages and its chapter.

The Chinese term is the one the lecture notes use where they use one (e.g.
顾客让渡价值, 顾客累加效应); terms the lectures do not name (the models and
statistics the chapters add) carry the usual Chinese translation.
"""

from __future__ import annotations

import pandas as pd

from crmlab._glossary_zh import DEFINITIONS_ZH
from crmlab._validation import check_in_choices

__all__ = ["CHAPTERS", "glossary"]

#: Chapter numbers and notebook names of the course.
CHAPTERS: dict[str, str] = {
    "00": "getting_started",
    "01": "customer_information",
    "02": "customer_value",
    "03": "rfm_segmentation",
    "04": "satisfaction",
    "05": "loyalty",
    "06": "customer_lifetime_value",
    "07": "customer_accumulation",
    "08": "segmentation_research",
}

# (term, chinese, one-line definition, chapter)
_TERMS: tuple[tuple[str, str, str, str], ...] = (
    # ---- 00 getting started
    ("customer relationship management (CRM)", "客户关系管理",
     "Managing a firm's relationships with its customers to win, keep and grow the valuable ones.", "00"),
    ("CRM as philosophy, mechanism and software", "理念、机制与软件",
     "The lectures' three views of CRM: a management idea, a way of organising customer work, and an "
     "information system.", "00"),
    ("synthetic customer world", "合成客户数据",
     "Generated customers, transactions and surveys whose true behaviour is known, used to check methods.", "00"),
    # ---- 01 customer information and the customer database
    ("customer information", "客户信息",
     "What a firm knows about a customer; the basis of decisions, grading, communication and satisfaction.", "01"),
    ("customer database", "客户数据库",
     "A shared, structured store of customer profiles, contacts, transactions and complaints.", "01"),
    ("customer information base", "客户信息库",
     "The profile fields held for individual customers and for business customers.", "01"),
    ("static information", "静态信息",
     "Slowly changing customer facts such as address, phone, education and income.", "01"),
    ("dynamic information", "动态信息",
     "Behavioural records such as purchases, complaints, credit and RFM data.", "01"),
    ("customer grading", "客户分级",
     "Sorting customers into grades by the value they bring, so each grade is served differently.", "01"),
    ("contact cycle", "联系周期",
     "The longest allowed gap between contacts with a customer; passing it triggers a follow-up reminder.", "01"),
    ("follow-up reminder", "跟进提醒",
     "A system reminder to contact a customer whose contact cycle has run out.", "01"),
    ("purchase cycle", "购买周期",
     "The expected gap between a customer's purchases, set in the customer's purchase strategy.", "01"),
    ("business falling alert", "业务下滑提醒",
     "An alert raised when a customer has not bought within the purchase cycle, so the firm can act to "
     "keep them.", "01"),
    ("customer category", "客户类别",
     "A business customer's status: potential, current or lost, end customer or agent.", "01"),
    ("customer registration card", "客户登记卡",
     "A form capturing name, customer number, company, industry, address, phone, fax and postcode.", "01"),
    ("collection channels", "收集客户信息的渠道",
     "Ways to gather customer data: sales contacts, promotions, follow-up calls, surveys, the web, "
     "purchased lists.", "01"),
    ("Regent hotel carrot juice case", "被胡萝卜汁留住的客户(丽晶酒店)",
     "A hotel that remembered a guest's favourite drink for ten years and kept him despite tripled prices.",
     "01"),
    ("360-degree customer view", "客户全景视图",
     "One view of a customer's profile, contacts, transactions, complaints and preferences.", "01"),
    ("data quality report", "数据质量报告",
     "Counts and examples of missing fields, invalid formats and likely duplicate customers.", "01"),
    ("pseudonymisation", "假名化",
     "Replacing personal fields with salted hashes so customer data can be shared safely.", "01"),
    # ---- 02 customer value
    ("customer delivered value", "顾客让渡价值",
     "Total customer value minus total customer cost (Kotler); customers choose the offer that maximises it.",
     "02"),
    ("total customer value", "顾客总价值",
     "All benefits a customer expects: product, service, personnel and image value.", "02"),
    ("total customer cost", "顾客总成本",
     "All a customer gives up to buy: money, time, energy and psychological cost.", "02"),
    ("80/20 rule", "20/80法则",
     "About 20 % of customers bring about 80 % of revenue or profit.", "02"),
    ("Lorenz curve", "洛伦兹曲线",
     "Cumulative share of revenue against cumulative share of customers, ranked from smallest to largest.",
     "02"),
    ("Gini coefficient", "基尼系数",
     "Concentration of revenue across customers: 0 when all are equal, near 1 when one customer has it all.",
     "02"),
    ("customer growth matrix", "客户增长矩阵",
     "Growth options from selling existing or new offerings to existing or new customers.", "02"),
    ("customer value matrix", "客户价值矩阵",
     "Quadrants of current value by potential value, each with its own strategy.", "02"),
    ("core customers", "核心客户",
     "Customers with high current and potential value whose contact points the firm redesigns (HSBC case).",
     "02"),
    ("customer ordering model", "客户顺序模型",
     "Ranks customers for development by loyalty, credit grade and scale into eight ordered classes.", "02"),
    ("credit grade", "资信状况等级",
     "A customer's creditworthiness graded best, good, fair or poor.", "02"),
    ("customer scale", "客户规模",
     "A customer's size by revenue: large, medium, small or sporadic.", "02"),
    ("customer positioning", "客户定位",
     "The four steps of finding, differentiating, interacting with and customising for valuable customers.",
     "02"),
    ("IDIC model", "IDIC模型",
     "Identify, differentiate, interact, customise: the four tasks of one-to-one marketing.", "02"),
    ("one-to-one marketing", "一对一营销",
     "Building a lasting two-way relationship with each customer and tailoring the offer to them.", "02"),
    ("share of customer", "客户占有率",
     "The share of one customer's spending a firm wins; one-to-one marketing's goal instead of market share.",
     "02"),
    ("database marketing", "数据库营销",
     "Using collected customer data to target promotions at well-defined customer groups.", "02"),
    ("relationship marketing", "关系营销",
     "Building long-term, trusting, win-win relationships with valuable customers, distributors and suppliers.",
     "02"),
    ("4P", "4P(产品、价格、推销、地点)",
     "The seller's marketing mix: product, price, promotion, place.", "02"),
    ("4C", "4C(顾客价值、成本、便利、沟通)",
     "The customer's view of the mix: customer needs, cost, convenience, communication.", "02"),
    ("customer-oriented strategy", "客户关系导向的企业战略",
     "Strategy built from the outside in: what customers need and how to serve them better than rivals.",
     "02"),
    ("resource-oriented strategy", "资源导向的企业战略",
     "Strategy built from the firm's own resources and capabilities.", "02"),
    ("competition-oriented strategy", "竞争导向的企业战略",
     "Strategy built on beating rivals, taking their behaviour as the benchmark.", "02"),
    ("functional, process and relationship benefits", "功能利益、流程利益和关系利益",
     "What customers buy beyond the product: it works, buying is easy, and the relationship rewards them.",
     "02"),
    ("Porter's five forces", "波特五力",
     "New entrants, substitutes, supplier power, buyer power and rivalry shape an industry's competition.",
     "04"),
    ("manager D case", "D经理的案例",
     "Lecture 002's case: a firm that served all customers alike recovered its profit by focusing on the best 20 %.",
     "02"),
    ("segmentation indicators", "客户细分指标",
     "The variables that separate customers: six loyalty indicators and four scale-and-credit indicators.", "02"),
    ("Chengdu Hailang dairy case", "成都海浪公司案例",
     "A home-delivery milk firm whose customer data lived only with delivery staff, causing high churn.", "02"),
    # ---- 03 RFM and segmentation
    ("RFM", "RFM(最近一次消费、消费频率、消费金额)",
     "Recency, frequency and monetary value: three purchase-history measures used to score customers.", "03"),
    ("recency", "最近一次消费",
     "How recently a customer last bought (in lifetimes' convention: time from first to last purchase).", "03"),
    ("frequency", "消费频率",
     "How often a customer buys (in lifetimes' convention: the number of repeat purchases).", "03"),
    ("monetary value", "消费金额",
     "How much a customer spends per purchase (mean spend of repeat purchases).", "03"),
    ("RFM score", "RFM评分",
     "Scores 1 to 5 for recency, frequency and monetary value, with an explicit rule for ties.", "03"),
    ("customer segmentation", "客户细分",
     "Dividing customers into groups with similar value, needs or behaviour.", "03"),
    ("k-means clustering", "K均值聚类",
     "Clustering that assigns each customer to the nearest of k centroids, minimising within-cluster "
     "variance.", "03"),
    ("silhouette coefficient", "轮廓系数",
     "How much closer a point is to its own cluster than to the next one; used to choose k.", "03"),
    ("elbow method", "肘部法则",
     "Choosing k where adding clusters stops reducing within-cluster variance much.", "03"),
    ("segment profile", "细分画像",
     "A segment's size, revenue share and mean features, with a suggested name and action.", "03"),
    ("data mining", "数据挖掘",
     "Finding patterns in customer data: dependencies, classes, concepts, deviations and visualisation.", "03"),
    ("calibration and holdout periods", "校准期与验证期",
     "Splitting a purchase history in time: fit on the first part, check predictions on the second.", "03"),
    # ---- 04 satisfaction, complaints and customer care
    ("customer satisfaction", "客户满意",
     "The pleasure or disappointment from comparing what a product delivered with what was expected.", "04"),
    ("satisfaction ratio", "客户满意度=感知值/期望值",
     "The lecture's measure: customer satisfaction equals perceived value divided by expected value.", "04"),
    ("expectation-disconfirmation", "期望不一致",
     "Satisfaction as perceived performance minus expectation: positive when expectations are exceeded.",
     "04"),
    ("the five gaps", "五个差距",
     "Promotion, understanding, procedure, behaviour and perception gaps that cause dissatisfaction.", "04"),
    ("promotion gap", "促销差距",
     "Advertising promises more than the product really delivers.", "04"),
    ("understanding gap", "理解差距",
     "Managers misunderstand what customers expect.", "04"),
    ("procedure gap", "程序差距",
     "Customer expectations are not turned into suitable procedures and systems.", "04"),
    ("behaviour gap", "行为差距",
     "Staff are poorly trained or undisciplined, so service falls short of the procedures.", "04"),
    ("perception gap", "感受差距",
     "A customer's bad impression lingers long after the service has improved.", "04"),
    ("SERVQUAL", "服务质量差距模型",
     "Service quality measured as perception minus expectation on five dimensions and 22 items.", "04"),
    ("Net Promoter Score (NPS)", "净推荐值",
     "Share of promoters (9-10) minus share of detractors (0-6) on a would-you-recommend question.", "04"),
    ("Kano model", "卡诺模型",
     "Classifies product features as must-be, one-dimensional, attractive, indifferent or reverse.", "04"),
    ("ECSI model", "欧洲顾客满意度指数模型",
     "Structural model: image, expectations, quality and value drive satisfaction, then complaints and "
     "loyalty.", "04"),
    ("PLS path modelling", "偏最小二乘路径模型",
     "Partial least squares estimation of a structural model with latent constructs such as ECSI.", "04"),
    ("complaint iceberg", "投诉冰山",
     "96 % of dissatisfied customers never complain: a firm hears only 4 of every 100.", "04"),
    ("complaint handling", "处理投诉",
     "Responding to complaints (an apology, clear policy, a service department, empowered front line).",
     "04"),
    ("service recovery", "服务补救",
     "Putting a failure right so the complaining customer stays; the response matters more than the "
     "problem.", "04"),
    ("moments of truth", "信任的瞬间",
     "Each contact where a customer judges the firm; SAS counted 50,000 a day.", "04"),
    ("CARE", "CARE方针",
     "Capability, attitude, resource, empowerment: what staff need to care for customers.", "04"),
    ("golden rules of customer care", "顾客关怀黄金法则",
     "Rules such as: a new customer costs more than keeping one; welcome complaints; serve internal "
     "customers too.", "04"),
    ("LICAL", "LICAL(撒谎、无知、自满、傲慢、懒散)",
     "Lying, ignoring, content, arrogant, lazy: the five surest ways to lose customers.", "04"),
    ("customer care", "顾客关怀",
     "Everything a firm does to look after customers before, during and after a purchase.", "04"),
    ("organisation body language (OBL)", "企业身体语言",
     "Signals a firm's premises and behaviour send customers, e.g. locked doors or unanswered phones.", "04"),
    ("internal customer", "内部客户",
     "A colleague or department served by another; to be treated like an external customer.", "04"),
    ("willingness to pay (WTP)", "支付意愿",
     "The most a customer will pay, revealed only when they actually pay (the house-value example).", "04"),
    ("value expectations", "价值期望",
     "What customers expect for their money, shaped by price, needs, experience and available funds.", "04"),
    ("AIDA", "AIDA模式",
     "Attention, interest, desire, action: the stages of a customer's buying response.", "04"),
    ("Maslow's hierarchy of needs", "马斯洛需求层次",
     "Physiological, safety, social, esteem and self-actualisation needs, met roughly in that order.", "04"),
    ("Herzberg's two-factor theory", "赫茨伯格双因素理论",
     "Hygiene factors prevent dissatisfaction; motivators create satisfaction.", "04"),
    # ---- 05 loyalty
    ("customer loyalty", "客户忠诚",
     "A customer's preference for a product or firm that shows in repeated buying.", "05"),
    ("loyalty indicators", "客户忠诚的指标",
     "Six signs of loyalty: repeat purchases, cross-buying, price sensitivity, tolerance of quality "
     "incidents, time spent choosing, referrals.", "05"),
    ("repeat purchases", "重复购买的次数",
     "How many times a customer buys again; the first loyalty indicator.", "05"),
    ("cross-buying", "交叉购买",
     "Buying several of a firm's products or services; a loyalty indicator.", "05"),
    ("price sensitivity", "价格敏感程度",
     "How strongly a customer reacts to price changes; loyal customers react less.", "05"),
    ("tolerance of quality incidents", "对产品和服务质量事故的宽容度",
     "How forgiving a customer is when something goes wrong; a loyalty indicator.", "05"),
    ("time spent choosing", "购买时挑选商品的时间",
     "Loyal customers spend little time choosing between offers.", "05"),
    ("referrals", "正式或非正式的推荐行为",
     "Recommending the firm to others, formally or informally; a loyalty indicator.", "05"),
    ("loyalty index", "忠诚度指数",
     "The standardised loyalty indicators combined into one score per customer.", "05"),
    ("loyalty ladder", "客户忠诚阶梯",
     "Stages from general buyer, prospect and customer to follower, advocate and partner.", "05"),
    ("apostles", "传道者",
     "Highly satisfied, highly loyal customers who recommend the firm.", "05"),
    ("mercenaries", "图利者",
     "Satisfied but disloyal customers who go wherever the deal is best.", "05"),
    ("hostages", "囚禁者",
     "Dissatisfied customers who stay only because switching is hard or impossible.", "05"),
    ("terrorists", "破坏者",
     "Dissatisfied customers who leave and spread bad word of mouth (defectors).", "05"),
    ("enthusiasts and loyalists", "热心的追随者与忠诚者",
     "The lecture's two positive loyalty types, before mercenaries, hostages, defectors and terrorists.",
     "05"),
    ("switching cost", "转换成本",
     "What a customer loses by changing supplier; high switching costs keep hostages.", "05"),
    ("loyalty programme", "忠诚计划",
     "A reward scheme that encourages repeat buying and gives the firm customer information.", "05"),
    ("price war", "价格战",
     "Cutting prices to grab share fast; it lowers profit and invites retaliation.", "05"),
    ("satisfaction-loyalty curve", "满意度与忠诚度的关系",
     "Loyalty rises steeply with satisfaction in competitive markets but stays flat where choice is limited.",
     "05"),
    ("Dick and Basu loyalty matrix", "迪克-巴苏忠诚矩阵",
     "Relative attitude by repeat patronage: true, latent, spurious and no loyalty.", "05"),
    ("brand switching matrix", "品牌转换矩阵",
     "Probabilities that a buyer of one brand buys each brand next time.", "05"),
    ("repeat-purchase rule", "重复购买法则",
     "Profit comes from customers who buy again, so firms should design for repeat buying.", "05"),
    ("Markov chain", "马尔可夫链",
     "A model in which the next state (ladder stage, brand, store) depends only on the current one.", "05"),
    # ---- 06 customer lifetime value
    ("customer lifetime value (CLV)", "客户终生价值",
     "The discounted profit a customer brings over the whole relationship; the lecture's average form is "
     "(revenue - acquisition cost - retention cost) / customers.", "06"),
    ("acquisition cost", "客户取得成本",
     "Cost of winning one new customer: advertising and marketing cost divided by new customers.", "06"),
    ("retention cost", "客户保有成本",
     "Cost of keeping existing customers.", "06"),
    ("customer lifecycle", "客户生命周期",
     "The stages of a customer relationship: acquisition (考察期), growth (形成期), maturity (稳定期), decline "
     "(退化期) and churn (流失).", "05"),
    ("retention rate", "客户保持率",
     "Share of customers still active one period later.", "06"),
    ("discount rate", "折现率",
     "Rate at which future profits are discounted to today; the cost of capital.", "06"),
    ("contractual and non-contractual settings", "契约型与非契约型情境",
     "Whether customers announce when they leave (subscriptions) or just stop buying (retail).", "06"),
    ("shifted-beta-geometric model (sBG)", "移位贝塔几何模型(sBG)",
     "Contractual model: each customer churns with a constant probability drawn from a beta distribution.",
     "06"),
    ("BG/NBD model", "BG/NBD模型",
     "Non-contractual model: Poisson purchases while alive, dropout after any purchase with a beta "
     "probability.", "06"),
    ("Pareto/NBD model", "Pareto/NBD模型",
     "Non-contractual model: Poisson purchases and exponential lifetimes with gamma heterogeneity.", "06"),
    ("BG/BB model", "BG/BB模型",
     "Discrete-time non-contractual model: beta-Bernoulli transactions and beta-geometric dropout.", "06"),
    ("Gamma-Gamma spend model", "Gamma-Gamma消费金额模型",
     "Models each customer's average spend per transaction as gamma distributed around a personal mean.",
     "06"),
    ("probability alive (P(alive))", "存活概率",
     "The probability that a customer with a given purchase history is still active.", "06"),
    ("discounted expected residual transactions (DERT)", "折现预期剩余交易数",
     "Expected future transactions of a customer, discounted to today.", "06"),
    ("lifetime value by age example", "25岁与65岁顾客的终身价值",
     "A 25-year-old buying ten computers (185,000) is worth more than a 65-year-old buying three (45,000).",
     "06"),
    # ---- 07 customer accumulation
    ("customer accumulation effect", "顾客累加效应",
     "A customer lost is a customer a rival gains, so B/A grows as (N+x)/(N-x), not linearly.", "07"),
    ("customer profit accumulation effect", "顾客利润累加效应",
     "The accumulation effect in profit: the profit gap grows by twice the margin for every customer lost.",
     "07"),
    ("customer churn", "客户流失",
     "Customers a firm loses; firms lose on average 10-30 % of their customers a year.", "07"),
    ("customer-base dynamics", "客户群动态",
     "N(t+1) = r N(t) + acquisitions; the base settles at acquisitions / (1 - r).", "07"),
    ("steady state", "稳态",
     "The long-run distribution that a Markov chain or customer base settles at, whatever its start.", "07"),
    ("customer equity", "客户资产",
     "The discounted value of current plus future customers, net of acquisition costs.", "07"),
    ("retention elasticity", "保持率弹性",
     "Per cent change in firm value per 1 % better retention; about 5 against about 1 for margin.", "07"),
    ("retaining beats acquiring", "留住旧客户比开发新客户重要",
     "Keeping an existing customer is cheaper and worth more than winning a new one.", "07"),
    ("acquisition, development, retention", "客户取得、客户发展、客户维持",
     "The three steps of CRM: win the valuable customers, grow what they buy, then keep them loyal.", "07"),
    ("value-chain inverse-square rule", "价值链上的客户关系",
     "Relationship strength falls with the square of the number of value-chain links to the customer.", "07"),
    # ---- 08 segmentation research
    ("experiment grid", "实验网格",
     "Every combination of algorithms, feature sets, k and seeds, run and scored in one table.", "08"),
    ("adjusted Rand index (ARI)", "调整兰德指数",
     "Agreement between two partitions corrected for chance: 1 for identical, about 0 for random.", "08"),
    ("normalised mutual information (NMI)", "标准化互信息",
     "Information shared by two partitions, scaled to lie between 0 and 1.", "08"),
    ("ground truth recovery", "真实细分的还原",
     "How well a method recovers the known segments of generated customers.", "08"),
    ("cluster stability", "聚类稳定性",
     "Agreement of clusterings over bootstrap or subsamples; a real k gives stable clusters.", "08"),
)


def glossary(chapter: str | None = None) -> pd.DataFrame:
    """Return the course glossary, one row per key term.

    Chapter 9 (appendix); the terms come from every chapter.

    Parameters
    ----------
    chapter : str, optional
        A two-digit chapter number ("00" to "08") to keep only that chapter's terms.

    Returns
    -------
    pandas.DataFrame
        Columns ``term`` (English), ``chinese`` (the lectures' term),
        ``definition`` (one line, English), ``definition_zh`` (the same
        definition in Simplified Chinese) and ``chapter`` (two-digit string),
        sorted by term (case-insensitive), with a fresh 0..n-1 index.

    Raises
    ------
    ValueError
        If ``chapter`` is not one of the course's chapters.

    See Also
    --------
    CHAPTERS : the chapter numbers and names.

    Notes
    -----
    Where the lectures name a term in Chinese that name is used (e.g.
    顾客让渡价值, 客户终生价值, 顾客累加效应); for the models the chapters add
    the usual Chinese translation is given. The Chinese definitions live in
    ``crmlab._glossary_zh`` keyed by the English term and use the same terms.

    References
    ----------
    .. [1] The course's lecture notes (seed files 000-004).

    Examples
    --------
    >>> g = glossary()
    >>> g.loc[g["term"] == "customer delivered value", "chinese"].item()
    '顾客让渡价值'
    >>> g.loc[g["term"] == "complaint iceberg", "definition_zh"].item()[:10]
    '96% 的不满意顾客'
    >>> sorted(glossary(chapter="07")["term"])[:2]
    ['acquisition, development, retention', 'customer accumulation effect']
    """
    frame = pd.DataFrame(list(_TERMS), columns=["term", "chinese", "definition", "chapter"])
    frame.insert(3, "definition_zh", frame["term"].map(DEFINITIONS_ZH))
    if chapter is not None:
        check_in_choices(chapter, "chapter", list(CHAPTERS), caller="glossary")
        frame = frame[frame["chapter"] == chapter]
    order = frame["term"].str.casefold().argsort(kind="stable")
    return frame.iloc[order.to_numpy()].reset_index(drop=True)
