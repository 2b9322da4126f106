"""Words that figures take from data or code (segment names, categories, stages, brands), in Chinese.

:func:`crmlab.plotting._labels.tr` translates the fixed titles and axis labels
the plotting functions write themselves. Many figures also draw words they get
from their input: the names of RFM segments or value-matrix quadrants, loyalty
types and ladder stages, NPS groups, Kano categories, ECSI constructs, the
columns of a table. :func:`word` gives those in the figures' current language:
unchanged in English, from :data:`WORDS` in Chinese (a word not in the table is
drawn as it is, e.g. a brand or a code such as ``CUEX1``).

Keys are matched after :func:`_key`: case-folded, underscores read as spaces,
runs of spaces collapsed; so ``"at_risk"``, ``"At risk"`` and ``"at risk"``
all find the same entry.
"""

from __future__ import annotations

from typing import Any

from crmlab.plotting import _labels

__all__ = ["WORDS", "word"]

#: Data word (normalised by :func:`_key`) -> Chinese, in the lectures' terms where they have one.
WORDS: dict[str, str] = {
    # customer value matrix quadrants (chapter 2)
    "core": "核心",
    "maintain": "维持",
    "develop": "发展",
    "minimise": "精简",
    "current value": "当前价值",
    "potential value": "潜在价值",
    # RFM segment rules (chapter 3, crmlab.rfm.DEFAULT_SEGMENT_RULES)
    "champions": "冠军客户",
    "loyal customers": "忠诚客户",
    "potential loyalists": "潜在忠诚客户",
    "new customers": "新客户",
    "promising": "有潜力的客户",
    "need attention": "需要关注的客户",
    "about to sleep": "即将沉睡的客户",
    "can't lose them": "不能失去的客户",
    "at risk": "流失风险客户",
    "hibernating": "冬眠客户",
    # suggested segment names (chapter 3, crmlab.segmentation.ACTIONS)
    "loyal regulars": "忠实常客",
    "promising big spenders": "有潜力的大额客户",
    "new or occasional": "新客户或偶尔购买者",
    "at risk (valuable)": "流失风险客户（高价值）",
    "lapsing regulars": "正在流失的常客",
    "lapsed big spenders": "已流失的大额客户",
    # segments of the synthetic world (chapters 0, 3, 8)
    "loyal": "忠诚客户",
    "bargain hunters": "逐利客户",
    "new": "新客户",
    "dormant": "休眠客户",
    "big spenders": "大额客户",
    # RFM features
    "recency": "最近一次消费",
    "frequency": "消费频率",
    "monetary": "消费金额",
    "monetary value": "消费金额",
    "log(1 + recency)": "log(1 + 最近一次消费)",
    "log(1 + frequency)": "log(1 + 消费频率)",
    "log(1 + monetary)": "log(1 + 消费金额)",
    # loyalty ladder stages (chapter 5)
    "prospect": "潜在购买者",
    "buyer": "普通购买者",
    "customer": "普通客户",
    "follower": "跟随者",
    "advocate": "拥护者",
    "partner": "合伙人",
    # satisfaction-loyalty types (chapter 5)
    "apostle": "传道者",
    "mercenary": "图利者",
    "hostage": "囚禁者",
    "defector": "叛逃者",
    "enthusiast": "热心的追随者",
    "loyalist": "忠诚者",
    "terrorist": "破坏者",
    # Dick & Basu cells and levels
    "true loyalty": "真正忠诚",
    "latent loyalty": "潜在忠诚",
    "spurious loyalty": "虚假忠诚",
    "no loyalty": "不忠诚",
    "high": "高",
    "low": "低",
    # loyalty indicators (crmlab.loyalty)
    "repeat purchases": "重复购买的次数",
    "cross buying": "交叉购买",
    "price sensitivity": "价格敏感程度",
    "quality tolerance": "对质量事故的宽容度",
    "choice time": "挑选商品的时间",
    "referrals": "推荐行为",
    # loyalty programme vs price cut
    "baseline": "基准情形",
    "loyalty programme": "忠诚计划",
    "price cut": "降价",
    "customers end": "期末顾客数",
    "revenue": "收入",
    "cost": "成本",
    "profit": "利润",
    "replacement cost": "补充新客户的成本",
    "net profit": "净利润",
    # customer lifecycle stages
    "acquisition": "考察期",
    "growth": "形成期",
    "maturity": "稳定期",
    "decline": "退化期",
    "churned": "流失",
    # yogurt brands (chapters 0 and 5): the Chinese trade names where the brand has one
    "yoplait": "优诺",
    "dannon": "达能",
    "weight": "慧俪轻体",  # Weight Watchers, shortened to "weight" in the data
    "hiland": "Hiland",
    # NPS groups and sources (chapter 4)
    "detractors": "贬损者",
    "passives": "被动者",
    "promoters": "推荐者",
    "all": "全部",
    "generated": "生成数据",
    "mobi": "手机调查（mobi）",
    # expectation-disconfirmation states
    "dissatisfied": "不满意",
    "satisfied": "满意",
    "delighted": "惊喜",
    # Kano categories
    "attractive": "魅力质量",
    "one-dimensional": "一元质量",
    "must-be": "必备质量",
    "indifferent": "无差异质量",
    "reverse": "反向质量",
    "questionable": "可疑结果",
    # the chapter 4 Kano example's features
    "network coverage": "网络覆盖",
    "free streaming": "免费流媒体",
    "monthly price cut": "每月降价",
    "app theme": "应用主题",
    # SERVQUAL dimensions
    "tangibles": "有形性",
    "reliability": "可靠性",
    "responsiveness": "响应性",
    "assurance": "保证性",
    "empathy": "移情性",
    # ECSI constructs (chapters 4 and 5)
    "image": "企业形象",
    "expectation": "顾客期望",
    "expectations": "顾客期望",
    "quality": "感知质量",
    "perceived quality": "感知质量",
    "value": "感知价值",
    "perceived value": "感知价值",
    "satisfaction": "顾客满意",
    "complaints": "顾客抱怨",
    "complaint handling": "投诉处理",
    "loyalty": "顾客忠诚",
    "switchingcost": "转换成本",
    "switching cost": "转换成本",
    # complaint categories (crmlab.synth.COMPLAINT_CATEGORIES)
    "product quality": "产品质量",
    "delivery": "配送",
    "billing": "账单",
    "staff attitude": "员工态度",
    "returns & refunds": "退换货与退款",
    "other": "其他",
    # product categories of the retail world
    "groceries": "食品杂货",
    "fresh food": "生鲜食品",
    "household": "家居用品",
    "beauty": "美妆",
    "apparel": "服装",
    "electronics": "电子产品",
    "home & garden": "家居园艺",
    "books & media": "图书音像",
    # mixing distributions of the BTYD models (chapter 6, crmlab.clv.mixing_distributions)
    "purchase rate λ ~ gamma(r, α)": "购买率 λ ~ Gamma(r, α)",
    "dropout probability p ~ beta(a, b)": "流失概率 p ~ Beta(a, b)",
    "dropout rate μ ~ gamma(s, β)": "流失率 μ ~ Gamma(s, β)",
    "transaction probability p ~ beta(α, β)": "交易概率 p ~ Beta(α, β)",
    "dropout probability θ ~ beta(γ, δ)": "流失概率 θ ~ Beta(γ, δ)",
    "churn probability θ ~ beta(α, β)": "流失概率 θ ~ Beta(α, β)",
    # accumulation levers (chapter 7)
    "acquisition cost": "客户取得成本",
    "discount rate": "折现率",
    "margin": "利润率",
    "retention": "客户保持率",
    # experiment grids (chapter 8)
    "noise": "噪声",
    "feature set": "特征集",
    "raw": "原始特征",
    "log scaled": "对数标准化特征",
    "log": "对数特征",
    "rule": "选 k 规则",
    "elbow": "肘部法则",
    "silhouette": "轮廓系数",
    "calinski harabasz": "Calinski-Harabasz 指数",
    "davies bouldin": "Davies-Bouldin 指数",
    "oracle": "真实 k",
    "stability": "稳定性",
    "algorithm": "算法",
    "kmeans": "K均值",
    "k": "k",
    "ari": "调整兰德指数",
    "nmi": "标准化互信息",
    # holdout reports (chapter 10, crmlab.clv.holdout_report)
    "naive: own calibration rate": "朴素基准：沿用本人校准期购买率",
    "naive: population rate": "朴素基准：全体平均购买率",
    "naive: zero for the silent": "朴素基准：近期无购买者记为零",
    "naive: zero for all": "朴素基准：全部记为零",
    "mae": "平均绝对误差 MAE",
    "rmse": "均方根误差 RMSE",
    "bias pct": "偏差（%）",
    "gini norm": "标准化基尼系数",
    "decile mae": "十分位平均绝对误差",
    "brier active": "活跃状态的 Brier 分数",
    "calib active": "活跃状态的校准误差",
    # data sources compared in chapter 0
    "cdnow twin": "CDNOW 的合成孪生数据",
    "retail preset": "零售预设世界",
    # contractual segments (chapter 6)
    "regular": "普通",
    "high end": "高端",
}


def _key(text: str) -> str:
    return " ".join(text.replace("_", " ").split()).casefold()


def word(value: Any) -> str:
    """Return a word taken from data (a segment, category or column name) in the figures' language.

    Parameters
    ----------
    value : object
        The word as the data has it (``str(value)`` is drawn in English).

    Returns
    -------
    str
        ``str(value)`` in English; in Chinese the :data:`WORDS` entry of
        ``value`` (case, underscores and spacing ignored), or ``str(value)``
        itself when the table has none.

    Examples
    --------
    >>> from crmlab.plotting import language
    >>> word("at_risk")
    'at_risk'
    >>> with language("zh"):
    ...     word("at_risk"), word("Yoplait"), word("CUEX1")
    ('流失风险客户', '优诺', 'CUEX1')
    """
    text = str(value)
    if _labels.get_language() != "zh":
        return text
    return WORDS.get(_key(text), text)
