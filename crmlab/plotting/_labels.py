"""The words on the figures, in English and Chinese, and the language the figures speak.

Plotting functions pass every fixed title, axis label and legend entry through
:func:`tr`; the English text is the key of :data:`LABELS`, which gives the
Chinese. The language is English unless set for a block of code::

    with crmlab.plotting.language("zh"):
        plot_lorenz_curve(revenue)
        plt.show()

or for a whole session with ``crmlab.plotting.set_language("zh")`` (the Chinese
edition of the course is executed with the environment variable
``CRMLAB_LANG=zh``, which does the same at import time). Chinese labels need a
font with CJK glyphs: the first installed of :data:`CJK_FONTS` (Debian:
``apt-get install fonts-noto-cjk`` or ``fonts-wqy-zenhei``) is added to
Matplotlib's fallback list. Without one, a :class:`CJKFontWarning` says so and
the labels stay in English rather than print as empty boxes.

Words a figure takes from its data (segment names, categories, stages) go
through :func:`crmlab.plotting.word` (table in ``_label_words.py``); a title
that names a lecture concept goes through :func:`concept`, which also gives the
English title the lecture's Chinese term, e.g. "Customer value matrix (客户价值矩阵)".
Chapter cells that type figure text themselves use ``crmlab.plotting.tr``.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = [
    "CJK_FONTS",
    "LABELS",
    "CJKFontWarning",
    "cjk_font",
    "concept",
    "get_language",
    "language",
    "set_language",
    "tr",
]

LANGUAGES = ("en", "zh")

#: Font families with Chinese glyphs, in order of preference, and where Debian installs them.
CJK_FONTS = {
    "Noto Sans CJK SC": (
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/opentype/noto-cjk/NotoSansCJK-Regular.ttc",
    ),
    "WenQuanYi Zen Hei": ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",),
    "Source Han Sans SC": (),
    "Noto Serif CJK SC": ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",),
}

#: English figure text -> Chinese (terms as the lectures and the glossary say them).
LABELS: dict[str, str] = {
    # accumulation (chapter 7)
    "store A": "商店 A",
    "store B": "商店 B",
    "store A (expected)": "商店 A（期望值）",
    "store B (expected)": "商店 B（期望值）",
    "Customers A has lost to B": "A 流失给 B 的顾客数",
    "Customer accumulation effect (labels: B/A)": "顾客累加效应（标注：B/A）",
    "Period": "期",
    "Relative size of B to A": "B 相对于 A 的规模",
    "Customers": "顾客数",
    "Customer base N(t+1) = r N(t) + a": "客户群 N(t+1) = r N(t) + a",
    "Change in customer equity (%)": "客户资产变化（%）",
    "Which lever moves firm value?": "哪个杠杆最能提升企业价值？",
    "B / A": "B / A",
    "Profit": "利润",
    "Share of served customers": "已服务顾客中的份额",
    "Profit per period": "每期利润",
    "{what}: A and B over time": "{what}：A 与 B 随时间的变化",
    " (band: 90% of simulations)": "（阴影带：90% 的模拟路径）",
    # customer lifetime value (chapter 6)
    "recency (age at last purchase)": "最近一次消费（最后一次购买时的客户年龄）",
    "frequency (repeat purchases)": "消费频率（重复购买次数）",
    "actual": "实际",
    "model": "模型",
    "purchases in calibration period": "校准期内的购买次数",
    "mean purchases in holdout": "验证期内的平均购买次数",
    "Calibration vs holdout": "校准期与验证期",
    "end of calibration": "校准期结束",
    "time": "时间",
    "time since first purchase": "距首次购买的时间",
    "P(alive)": "存活概率 P(alive)",
    "P(alive) history (dotted lines: purchases)": "存活概率 P(alive) 的变化（虚线：购买）",
    "value (log scale)": "价值（对数刻度）",
    "density of log value, x f(x)": "对数价值的密度 x f(x)",
    "How customers differ (mixing distributions)": "顾客之间的差异（混合分布）",
    "perfect calibration": "完全校准",
    "bins of customers": "顾客分组",
    "predicted P(alive)": "预测的存活概率 P(alive)",
    "share truly alive": "真正存活的比例",
    "Is P(alive) calibrated?": "存活概率 P(alive) 校准得好吗？",
    # typed in chapter 6's own cells (through crmlab.plotting.tr)
    "year": "年份",
    "sBG fitted on years 1-7, projected to year 12": "sBG 模型：用第 1–7 年拟合，外推到第 12 年",
    "true residual value (yuan)": "真实的剩余价值（元）",
    "predicted CLV (yuan)": "预测的客户终生价值（元）",
    "Predicted vs true customer value": "预测的与真实的客户价值",
    "Expected future purchases": "预期的未来购买次数",
    "expected purchases": "预期购买次数",
    "Probability a customer is still active": "顾客仍然活跃的概率（存活概率）",
    "Repeat purchases in the calibration period": "校准期内的重复购买次数",
    "cumulative repeat transactions": "累计重复交易次数",
    "Tracking cumulative transactions": "累计交易的跟踪",
    "repeat transactions per period": "每期重复交易次数",
    "Tracking transactions per period": "每期交易的跟踪",
    # CLV research (chapter 10)
    "higher is better": "越高越好",
    "lower is better": "越低越好",
    "0 is best": "0 最好",
    "{metric} ({better})": "{metric}（{better}）",
    "Erlang order k of the gaps": "购买间隔的 Erlang 阶数 k",
    "log-likelihood minus the best": "对数似然减去最大值",
    "Regularity of purchase timing (best k = {best})": "购买时间的规律性（最佳 k = {best}）",
    "Holdout evaluation: models (blue) and naive benchmarks (grey)": "验证期评估：模型（蓝）与朴素基准（灰）",
    "perfect": "完全一致",
    "mean predicted purchases (decile)": "平均预测购买次数（按十分位）",
    "mean actual purchases": "平均实际购买次数",
    "Decile calibration on the holdout": "验证期的十分位校准",
    # loyalty (chapter 5)
    "next": "下一期",
    "current": "本期",
    "Transition probabilities": "转移概率",
    "observed": "观测值",
    "stationary": "稳态",
    "market share": "市场份额",
    "Observed vs steady-state shares": "观测份额与稳态份额",
    "period": "期",
    "share of customers": "顾客占比",
    "The loyalty ladder over time": "客户忠诚阶梯随时间的变化",
    "satisfaction": "满意度",
    "loyalty": "忠诚度",
    "Satisfaction vs loyalty by market": "不同市场中满意度与忠诚度的关系",
    "A: non-competitive (no choice)": "A：非竞争性市场（别无选择）",
    "B: proportional": "B：比例关系",
    "C: highly competitive": "C：高度竞争的市场",
    "switching cost {cost:g} (slope {slope:.2f})": "转换成本 {cost:g}（斜率 {slope:.2f}）",
    "Satisfaction-loyalty types": "满意度与忠诚度的类型",
    "predicted loyalty": "预测的忠诚度",
    "The hostage effect": "囚禁者效应",
    "repeat patronage (behaviour)": "重复惠顾（行为）",
    "relative attitude": "相对态度",
    "Dick & Basu loyalty matrix": "迪克-巴苏忠诚矩阵",
    "simulated": "模拟值",
    "expected": "期望值",
    "Loyalty programme vs price cut": "忠诚计划与降价的比较",
    "weight in the index": "在指数中的权重",
    "Loyalty index weights": "忠诚度指数的权重",
    # realism of the synthetic world (chapter 0)
    "Distinct purchase days per customer": "每位顾客的购买天数",
    "Share of customers": "顾客占比",
    "Repeat buying": "重复购买",
    "Days between purchases": "两次购买之间的天数",
    "Share of gaps (cumulative)": "间隔占比（累计）",
    "Inter-purchase gaps": "购买间隔",
    # RFM (chapter 3)
    "customers": "顾客数",
    "mean value": "平均价值",
    "R score (5 = most recent)": "R 评分（5 = 最近）",
    "F score (5 = most frequent)": "F 评分（5 = 最频繁）",
    "Score": "评分",
    "Realised RFM bin sizes": "RFM 各档的实际规模",
    "RFM grid: {label}": "RFM 网格：{label}",
    "revenue": "收入",
    "Share": "占比",
    "RFM segments": "RFM 细分",
    # satisfaction (chapter 4)
    "PLS path model: path coefficients and R²": "偏最小二乘路径模型：路径系数与 R²",
    "weighted gap": "加权差距",
    "mean gap (perception − expectation)": "平均差距（感知 − 期望）",
    "share of respondents": "受访者占比",
    "Net Promoter Score with confidence interval": "净推荐值及其置信区间",
    "|worse| (dissatisfaction if absent)": "|worse|（缺失时的不满意程度）",
    "better (satisfaction if present)": "better（具备时的满意程度）",
    "Kano better-worse diagram": "卡诺模型 better-worse 图",
    "customers (waterline = 0)": "顾客数（水面 = 0）",
    "{n:.0f} complain": "{n:.0f} 人投诉",
    "{n:.0f} unhappy\ncustomers stay silent": "{n:.0f} 位不满意的顾客\n保持沉默",
    "Complaint iceberg: {n} unhappy customers, rate {rate:.0%}": "投诉冰山：{n} 位不满意的顾客，投诉率 {rate:.0%}",
    "SERVQUAL gaps (overall {overall:+.2f}, weighted {weighted:+.2f})":
        "服务质量差距模型（SERVQUAL）的差距（总体 {overall:+.2f}，加权 {weighted:+.2f}）",
    "(interaction)": "（交互项）",
    "(formative)": "（形成性）",
    "{moderator} {level:+.0f} SD: slope {slope:.2f}": "{moderator} {level:+.0f} 个标准差：斜率 {slope:.2f}",
    "{iv} (standardized score)": "{iv}（标准化得分）",
    "predicted {target} (standardized)": "预测的{target}（标准化）",
    "Simple slopes: {iv} -> {target} by {moderator}": "简单斜率：{iv} → {target}，按{moderator}分组",
    "importance (unstandardized total effect on {target})": "重要性（对{target}的非标准化总效应）",
    "performance (0-100)": "表现（0–100）",
    "Importance-performance map: {target}": "重要性-表现矩阵：{target}",
    # segmentation (chapters 3 and 8)
    "within SS (elbow)": "组内平方和（肘部法则）",
    "silhouette": "轮廓系数",
    "Calinski-Harabasz": "Calinski-Harabasz 指数",
    "Davies-Bouldin": "Davies-Bouldin 指数",
    "gap statistic": "间隙统计量",
    "BIC (mixture)": "BIC（混合模型）",
    "Number of segments k": "细分数 k",
    "Rescaled criterion (1 = best)": "标准化后的准则（1 = 最好）",
    "Choosing k": "选择 k",
    "10-90% of resamples": "重抽样的 10%–90% 区间",
    "mean ARI": "平均调整兰德指数",
    "Adjusted Rand index": "调整兰德指数",
    "Stability under resampling": "重抽样下的聚类稳定性",
    "Mean z-score": "平均 z 分数",
    "Snake plot of segments": "细分蛇形图",
    "Segments in two dimensions": "二维空间中的细分",
    "chosen k = {k}": "选定 k = {k}",
    "PC1 ({share:.0%} of variance)": "第一主成分（解释 {share:.0%} 的方差）",
    "PC2 ({share:.0%} of variance)": "第二主成分（解释 {share:.0%} 的方差）",
    # segmentation experiments (chapter 8)
    "{metric} (mean ± sd over seeds)": "{metric}（各随机种子的均值 ± 标准差）",
    "{metric} by {x}": "{metric} 随{x}的变化",
    # customer value (chapter 2)
    "share of customers (smallest first)": "顾客占比（从小到大）",
    "share of revenue": "收入占比",
    "Lorenz curve of customer revenue": "顾客收入的洛伦兹曲线",
    "Customer value matrix": "客户价值矩阵",
    # interactive demos (chapters 4, 6, 7)
    "retention rate per period": "每期客户保持率",
    "Retention → CLV: the curve steepens as retention rises": "保持率 → 客户终生价值：保持率越高，曲线越陡",
    "perceived": "感知值",
    "value": "价值",
    "recency: time of the last purchase": "最近一次消费：最后一次购买的时间",
    "P(alive) against recency": "存活概率 P(alive) 与最近一次消费的关系",
    ", {n} repeat purchases": "，重复购买 {n} 次",
    "top {top:.0%}: {share:.0%} of revenue": "前 {top:.0%} 的顾客：贡献 {share:.0%} 的收入",
    # dataset tour (chapter 0)
    "Week since 1 Jan 1997": "自 1997 年 1 月 1 日起的周数",
    "Purchases": "购买次数",
    "CDNOW: purchases per week": "CDNOW：每周购买次数",
    "Years with a repeat gift (of 6)": "重复捐赠的年数（共 6 年）",
    "Donors": "捐赠者人数",
    "Donations: repeat giving": "捐赠数据：重复捐赠",
    "Years since joining": "加入后的年数",
    "% still subscribed": "仍在订阅的比例（%）",
    "Subscription cohort survival": "订阅客户群的保持情况",
    "Survey item": "调查题项",
    "Mean rating (1-10)": "平均评分（1–10）",
    "ECSI mobile survey: item means": "ECSI 手机满意度调查：各题项均值",
    "Brand": "品牌",
    "Share of purchases": "购买占比",
    "Yogurt panel: brand shares": "酸奶面板数据：品牌份额",
    "regular": "普通",
    "high end": "高端",
    # typed in chapter cells (chapters 1, 7, 8, 10) through crmlab.plotting.tr
    "days past the purchase cycle": "超出购买周期的天数",
    "Business-falling alerts on {date}": "{date} 的业务下滑提醒",
    "B / A (accumulation)": "B / A（累加效应）",
    "1 + x/N (if losses just added up)": "1 + x/N（假如流失只是简单相加）",
    "Customers A has lost to B (of 100)": "A 流失给 B 的顾客数（共 100 位）",
    "Relative size": "相对规模",
    "The ratio is convex, not linear": "比值是凸的，而不是线性的",
    "lose {share:.0%} a year: N* = {n:.0f}": "每年流失 {share:.0%}：N* = {n:.0f}",
    "Recovery at k = {k} as noise grows": "k = {k} 时真实细分的还原随噪声的变化",
    "log_scaled features: ARI at the k each rule picks": "对数标准化特征：各规则所选 k 下的调整兰德指数（ARI）",
    "Erlang-3 world": "Erlang-3 世界",
    "holdout MAE (purchases per customer)": "验证期的 MAE（每位顾客的购买次数）",
    "Regularity pays": "规律性的回报",
    "95 % interval": "95% 区间",
    "80 % interval": "80% 区间",
    "the 40 customers with the highest forecasts": "预测值最高的 40 位顾客",
    "holdout purchases": "验证期购买次数",
    "BG/NBD forecast intervals on CDNOW": "CDNOW 上 BG/NBD 模型的预测区间",
}

_language = os.environ.get("CRMLAB_LANG", "en") if os.environ.get("CRMLAB_LANG") in LANGUAGES else "en"
_font: str | None = None
_searched = False  # the installed fonts are searched once per session


class CJKFontWarning(UserWarning):
    """No font with Chinese glyphs is installed; figures keep English labels.

    Issued by :func:`set_language` and :func:`language` when Chinese is asked
    for and :func:`cjk_font` finds no font; filter it like any other warning.

    Examples
    --------
    >>> import warnings
    >>> from crmlab.plotting import CJKFontWarning
    >>> issubclass(CJKFontWarning, UserWarning)
    True
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", CJKFontWarning)
    """


def _check(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"language(): lang must be one of {list(LANGUAGES)}; got {lang!r}.")
    return lang


def cjk_font() -> str | None:
    """Return the CJK font family Matplotlib will use, registering it if needed; None if none is installed.

    The family is appended to ``rcParams["font.family"]`` after the default
    family, so Latin text keeps its font and Chinese glyphs fall back to it.
    """
    global _font, _searched
    import matplotlib

    if _font is None and not _searched:
        from matplotlib import font_manager

        known = {f.name for f in font_manager.fontManager.ttflist}
        for family, files in CJK_FONTS.items():
            if family not in known:
                for file in files:
                    if Path(file).is_file():
                        font_manager.fontManager.addfont(file)
                known = {f.name for f in font_manager.fontManager.ttflist}
            if family in known:
                _font = family
                break
        _searched = True
    if _font is not None:  # again after a reset of rcParams (rcdefaults, a style or rc_context)
        families = list(matplotlib.rcParams["font.family"])
        if _font not in families:
            # Matplotlib falls back glyph by glyph along the font.family list (not within a generic family)
            matplotlib.rcParams["font.family"] = [*families, _font]
    return _font


def add_cjk_fallback(ax: Any) -> None:
    """Add the CJK font, if installed, to the fonts of the title and axis labels of ``ax``.

    Texts keep the font list they were made with; axes made before the CJK font
    was registered would draw Chinese in their title as empty boxes.
    """
    font = cjk_font()
    if font is None:
        return
    for text in (ax.title, ax._left_title, ax._right_title, ax.xaxis.label, ax.yaxis.label):
        families = list(text.get_fontfamily())
        if font not in families:
            text.set_fontfamily([*families, font])


def _usable(lang: str) -> str:
    if lang == "zh" and cjk_font() is None:
        warnings.warn(
            "no font with Chinese glyphs found, so figures keep their English labels (Chinese would print as "
            "empty boxes); install one, e.g. 'apt-get install fonts-noto-cjk' or 'fonts-wqy-zenhei' on Debian.",
            CJKFontWarning,
            stacklevel=3,
        )
        return "en"
    return lang


def get_language() -> str:
    """Return the language the figures currently speak (``"en"`` or ``"zh"``).

    Returns
    -------
    str
        ``"en"`` or ``"zh"``.

    Examples
    --------
    >>> from crmlab.plotting import get_language, language
    >>> with language("en"):
    ...     get_language()
    'en'
    """
    return _language


def set_language(lang: str) -> str:
    """Make figures speak ``lang`` from now on; return the language in effect (English if no CJK font).

    Parameters
    ----------
    lang : {"en", "zh"}
        The language of figure titles, axis labels and legends.

    Returns
    -------
    str
        The language now in effect: ``lang``, or ``"en"`` when Chinese was asked
        for and no CJK font is installed (a :class:`CJKFontWarning` says so).

    Raises
    ------
    ValueError
        If ``lang`` is not ``"en"`` or ``"zh"``.

    See Also
    --------
    language : The same for a block of code only.

    Examples
    --------
    >>> from crmlab.plotting import set_language
    >>> set_language("en")
    'en'
    """
    global _language
    _language = _usable(_check(lang))
    return _language


@contextmanager
def language(lang: str) -> Iterator[str]:
    """Context in which figures speak ``lang`` (``"en"`` or ``"zh"``); the previous language comes back after.

    Draw (``plt.show()``) inside the block; the CJK font stays registered afterwards.

    Parameters
    ----------
    lang : {"en", "zh"}
        The language of figure titles, axis labels and legends inside the block.

    Yields
    ------
    str
        The language in effect inside the block: ``lang``, or ``"en"`` when
        Chinese was asked for and no CJK font is installed (a
        :class:`CJKFontWarning` says so).

    Raises
    ------
    ValueError
        If ``lang`` is not ``"en"`` or ``"zh"``.

    See Also
    --------
    set_language : The same for the rest of the session.

    Examples
    --------
    >>> from crmlab.plotting import language
    >>> from crmlab.plotting._labels import tr
    >>> with language("en") as lang:
    ...     lang, tr("Customers")
    ('en', 'Customers')
    """
    global _language
    previous = _language
    _language = _usable(_check(lang))
    try:
        yield _language
    finally:
        _language = previous


def tr(text: str) -> str:
    """Return figure text ``text`` in the current language (unchanged in English or without an entry).

    Parameters
    ----------
    text : str
        The English text, a key of :data:`LABELS`; a text with ``str.format``
        fields is translated before it is formatted.

    Returns
    -------
    str
        ``text`` in English, or when :data:`LABELS` has no entry; its Chinese
        entry in Chinese.

    See Also
    --------
    crmlab.plotting.word : For words that come from data (segment names, categories).
    concept : For titles that name a lecture concept.

    Examples
    --------
    >>> from crmlab.plotting import language, tr
    >>> with language("zh"):
    ...     tr("Customer value matrix"), tr("chosen k = {k}").format(k=4)
    ('客户价值矩阵', '选定 k = 4')
    >>> tr("Customer value matrix")
    'Customer value matrix'
    """
    if _language == "zh":
        return LABELS.get(text, text)
    return text


def _lecture_term(term: str) -> str:
    from crmlab.glossary import _TERMS

    chinese = {t[0]: t[1] for t in _TERMS}
    if term not in chinese:
        raise ValueError(f"concept(): term must be an English term of crmlab.glossary.glossary(); got {term!r}.")
    return chinese[term]


def concept(text: str, term: str) -> str:
    """Return a figure title that names a lecture concept, with the lecture's Chinese term in English too.

    In English the Chinese term of ``term`` (from :func:`crmlab.glossary.glossary`)
    follows the concept's words in ``text`` in parentheses, or ends the title when
    the words are not found, so that a student reading the English figure meets
    the term the lectures use. It is left out when no CJK font is installed
    (no empty boxes; the :class:`CJKFontWarning` stays with Chinese figures). In
    Chinese the title is :func:`tr` of ``text``, which already says the term.

    Parameters
    ----------
    text : str
        The English title (a :data:`LABELS` key; it may hold ``str.format`` fields).
    term : str
        An English glossary term, e.g. ``"customer accumulation effect"``.

    Returns
    -------
    str
        The title in the current language.

    Raises
    ------
    ValueError
        If ``term`` is not in the glossary.

    Examples
    --------
    >>> from crmlab.plotting import language
    >>> from crmlab.plotting._labels import concept
    >>> with language("en"):
    ...     concept("Customer value matrix", "customer value matrix") in (
    ...         "Customer value matrix (客户价值矩阵)", "Customer value matrix")
    True
    """
    chinese = _lecture_term(term)
    if _language == "zh":
        return tr(text)
    if cjk_font() is None:
        return text
    # "Net Promoter Score (NPS)" is found as "Net Promoter Score", else as "NPS"
    words, _, short = term.partition(" (")
    for phrase in (words, short[:-1]):
        found = re.search(re.escape(phrase), text, flags=re.IGNORECASE) if phrase else None
        if found is not None:
            return f"{text[:found.end()]} ({chinese}){text[found.end():]}"
    return f"{text} ({chinese})"


if _language == "zh":  # CRMLAB_LANG=zh: the Chinese edition's kernel
    _language = _usable("zh")
