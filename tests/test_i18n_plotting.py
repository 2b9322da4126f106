"""Figures speak Chinese in the Chinese edition: label table, data words, lecture terms, CJK font or a warning."""

from __future__ import annotations

import ast
import json
import re
import warnings
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import crmlab.plotting as cp  # noqa: E402
from crmlab.plotting import _label_words, _labels  # noqa: E402

PLOTTING = Path(cp.__file__).parent
NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def _tr_literals() -> dict[str, list[str]]:
    """Every string literal passed to ``tr(...)`` (or held by a module's ``_LABELS`` table) in crmlab.plotting."""
    found: dict[str, list[str]] = {}
    for path in sorted(PLOTTING.glob("[a-z]*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            texts = []
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "concept":
                texts = [node.args[0].value]  # concept(title, glossary term): the title is a LABELS key
            elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "tr":
                texts = [
                    c.value
                    for a in node.args
                    for c in ast.walk(a)
                    if isinstance(c, ast.Constant) and isinstance(c.value, str) and not isinstance(a, ast.Call)
                ]
            elif isinstance(node, ast.Assign) and any(getattr(tg, "id", None) == "_WHAT" for tg in node.targets):
                # accumulation's _WHAT: (column A, column B, axis label) -> only the label is shown
                texts = [t.elts[-1].value for t in node.value.values if isinstance(t, ast.Tuple)]
            elif isinstance(node, ast.Assign) and any(getattr(tg, "id", None) == "_LABELS" for tg in node.targets):
                texts = [
                    c.value
                    for c in ast.walk(node.value)
                    if isinstance(c, ast.Constant) and isinstance(c.value, str) and c not in node.value.keys
                ]
            for text in texts:
                found.setdefault(text, []).append(path.name)
    for text, where in _notebook_tr_literals().items():
        found.setdefault(text, []).extend(where)
    return found


def _notebook_tr_literals() -> dict[str, list[str]]:
    """String literals passed to ``tr(...)`` in the chapters' code cells (figure text typed in a cell)."""
    found: dict[str, list[str]] = {}
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] != "code":
                continue
            source = "".join(cell["source"])
            source = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
            for node in ast.walk(ast.parse(source)):
                if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "tr" and node.args:
                    arg = node.args[0]
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        found.setdefault(arg.value, []).append(f"{path.name}:{cell['id']}")
    return found


def test_every_figure_label_has_a_chinese_entry():
    literals = _tr_literals()
    assert len(literals) > 60
    missing = {text: files for text, files in literals.items() if text not in _labels.LABELS}
    assert not missing, f"add these to crmlab/plotting/_labels.py LABELS: {missing}"


def test_no_unused_chinese_entries():
    assert set(_labels.LABELS) <= set(_tr_literals())


def test_language_context_translates_titles_and_restores_english():
    assert cp.get_language() == "en"
    with cp.language("zh") as lang:
        assert lang == "zh"
        assert _labels.tr("Lorenz curve of customer revenue") == "顾客收入的洛伦兹曲线"
        assert _labels.tr("not in the table") == "not in the table"
    assert cp.get_language() == "en"
    assert _labels.tr("Lorenz curve of customer revenue") == "Lorenz curve of customer revenue"
    with pytest.raises(ValueError, match="lang must be one of"):
        with cp.language("fr"):
            pass


def test_a_plot_drawn_in_chinese_has_chinese_labels_and_no_missing_glyphs():
    import numpy as np

    from crmlab.plotting import plot_lorenz_curve
    from crmlab.value import lorenz_curve

    if _labels.cjk_font() is None:
        pytest.skip("no CJK font installed (apt-get install fonts-noto-cjk)")
    revenue = np.random.default_rng(0).lognormal(size=200)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph ... missing from font(s)" on tofu
        with cp.language("zh"):
            ax = plot_lorenz_curve(lorenz_curve(revenue))
            assert ax.get_title() == "顾客收入的洛伦兹曲线"
            assert ax.get_xlabel() == "顾客占比（从小到大）"
            ax.figure.canvas.draw()
    plt.close(ax.figure)


def test_without_a_cjk_font_labels_stay_english_with_a_clear_warning(monkeypatch):
    monkeypatch.setattr(_labels, "_font", None)
    monkeypatch.setattr(_labels, "cjk_font", lambda: None)
    with pytest.warns(_labels.CJKFontWarning, match="fonts-noto-cjk"):
        with cp.language("zh") as lang:
            assert lang == "en"
            assert _labels.tr("Customer value matrix") == "Customer value matrix"


def test_projector_style_enlarges_text_but_not_the_figure():
    import matplotlib

    from crmlab.plotting import plot_lorenz_curve
    from crmlab.value import lorenz_curve

    curve = lorenz_curve([1.0, 2.0, 3.0, 10.0])
    ax_plain = plot_lorenz_curve(curve)
    with cp.projector():
        ax_big = plot_lorenz_curve(curve)
        assert matplotlib.rcParams["font.size"] == cp.PROJECTOR_RC["font.size"]
    assert ax_big.title.get_fontsize() > ax_plain.title.get_fontsize()
    assert ax_big.xaxis.label.get_fontsize() >= 13 > ax_plain.xaxis.label.get_fontsize()
    assert tuple(ax_big.figure.get_size_inches()) == tuple(ax_plain.figure.get_size_inches())
    assert ax_big.figure.dpi == ax_plain.figure.dpi
    assert matplotlib.rcParams["font.size"] != cp.PROJECTOR_RC["font.size"], "the context must restore the defaults"


# ---- lecture terms in English titles (issue 18 §6) ------------------------------------------------------------------


def _concept_calls() -> list[tuple[str, str, str]]:
    """(title, glossary term, file) of every ``concept(title, term)`` call in crmlab.plotting."""
    calls = []
    for path in sorted(PLOTTING.glob("[a-z]*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "concept":
                calls.append((node.args[0].value, node.args[1].value, path.name))
    return calls


def test_figures_that_name_lecture_concepts_use_glossary_terms():
    from crmlab.glossary import glossary

    calls = _concept_calls()
    assert len(calls) >= 12
    terms = set(glossary()["term"])
    unknown = [(term, f) for _, term, f in calls if term not in terms]
    assert not unknown, f"concept() terms missing from crmlab.glossary: {unknown}"


@pytest.mark.parametrize(
    ("text", "term", "english"),
    [
        ("Customer accumulation effect (labels: B/A)", "customer accumulation effect",
         "Customer accumulation effect (顾客累加效应) (labels: B/A)"),
        ("Lorenz curve of customer revenue", "Lorenz curve", "Lorenz curve (洛伦兹曲线) of customer revenue"),
        ("Net Promoter Score with confidence interval", "Net Promoter Score (NPS)",
         "Net Promoter Score (净推荐值) with confidence interval"),
        ("Is P(alive) calibrated?", "probability alive (P(alive))", "Is P(alive) (存活概率) calibrated?"),
        ("Customer base N(t+1) = r N(t) + a", "customer-base dynamics",
         "Customer base N(t+1) = r N(t) + a (客户群动态)"),
    ],
)
def test_concept_puts_the_chinese_term_in_english_titles_and_translates_in_chinese(text, term, english):
    if _labels.cjk_font() is None:
        pytest.skip("no CJK font installed (apt-get install fonts-noto-cjk)")
    with cp.language("en"):
        assert cp.concept(text, term) == english
    with cp.language("zh"):
        assert cp.concept(text, term) == _labels.LABELS[text]
        assert not re.search(r"[A-Za-z]{4,}", cp.concept(text, term).replace("alive", ""))


def test_concept_without_a_cjk_font_keeps_english_titles_plain(monkeypatch):
    monkeypatch.setattr(_labels, "cjk_font", lambda: None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning in English: nothing Chinese is drawn
        assert cp.concept("Customer value matrix", "customer value matrix") == "Customer value matrix"
    with pytest.raises(ValueError, match="concept\\(\\): term must be an English term"):
        cp.concept("Customer value matrix", "customer value matrices")


def test_english_figure_titles_carry_the_lecture_term():
    from crmlab.plotting import plot_lorenz_curve
    from crmlab.value import lorenz_curve

    if _labels.cjk_font() is None:
        pytest.skip("no CJK font installed (apt-get install fonts-noto-cjk)")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ax = plot_lorenz_curve(lorenz_curve([1.0, 2.0, 3.0, 10.0]))
        ax.figure.canvas.draw()  # the Chinese term renders with the fallback font, no missing glyphs
    assert ax.get_title() == "Lorenz curve (洛伦兹曲线) of customer revenue"
    plt.close(ax.figure)


# ---- words from data -------------------------------------------------------------------------------------------------

HAN = re.compile(r"[\u4e00-\u9fff]")


def test_data_word_table_is_normalised_and_chinese():
    for key, chinese in _label_words.WORDS.items():
        assert key == _label_words._key(key), f"WORDS key {key!r} must be written as _key() gives it"
        assert HAN.search(chinese) or chinese in {"k", "Hiland"}, f"{key!r} -> {chinese!r} is not Chinese"


def test_word_translates_only_in_chinese_and_ignores_case_and_underscores():
    assert cp.word("at_risk") == "at_risk" and cp.word(3) == "3"
    with cp.language("zh"):
        assert cp.word("at_risk") == cp.word("At risk") == cp.word("at  risk") == "流失风险客户"
        assert cp.word("CUEX1") == "CUEX1"  # codes and unknown names are drawn as they are
        assert cp.word(3) == "3"


def test_every_loyalty_type_stage_and_segment_name_has_a_chinese_word():
    from crmlab.loyalty import LADDER_STAGES, LIFECYCLE_STAGES
    from crmlab.loyalty.dick_basu import DICK_BASU_CELLS
    from crmlab.loyalty.types import FOUR_TYPES, SIX_TYPES
    from crmlab.rfm.segments import DEFAULT_SEGMENT_RULES
    from crmlab.satisfaction import KANO_CATEGORIES, SERVQUAL_DIMENSIONS
    from crmlab.segmentation.profiles import ACTIONS
    from crmlab.synth.complaints import COMPLAINT_CATEGORIES
    from crmlab.synth.presets import _CATEGORIES, SEGMENTS

    names = [*LADDER_STAGES, *LIFECYCLE_STAGES, *DICK_BASU_CELLS, *FOUR_TYPES, *SIX_TYPES,
             *DEFAULT_SEGMENT_RULES["segment"], *(name for name, _ in ACTIONS.values()),
             *(name for name, _ in KANO_CATEGORIES.values()), *SERVQUAL_DIMENSIONS, *COMPLAINT_CATEGORIES,
             *_CATEGORIES["retail"], *SEGMENTS]
    missing = [n for n in names if _label_words._key(str(n)) not in _label_words.WORDS]
    assert not missing, f"add these to crmlab/plotting/_label_words.py WORDS: {missing}"


def _figure_words(ax) -> list[str]:
    """Every text drawn on the figure of ``ax``: titles, axis labels, tick labels, legend entries, annotations."""
    texts = []
    for a in ax.figure.axes:
        texts += [a.get_title(), a.get_xlabel(), a.get_ylabel(), *(t.get_text() for t in a.texts)]
        texts += [t.get_text() for t in a.get_xticklabels() + a.get_yticklabels()]
        if a.get_legend() is not None:
            texts += [t.get_text() for t in a.get_legend().get_texts()]
    return [t for t in texts if t]


# Latin words a Chinese figure may keep: acronyms (checked by case below), model names, symbols, brand names
_KEEP = {"alive", "better", "worse", "log", "Gamma", "Beta", "Hiland", "Calinski", "Harabasz", "Davies", "Bouldin",
         "mathdefault", "Erlang", "sBG"}


def _english_left(texts: list[str]) -> list[str]:
    left = []
    for text in texts:
        for token in re.findall(r"[A-Za-z][A-Za-z']+", text):
            if token not in _KEEP and not token.isupper() and not re.fullmatch(r"[A-Z]+[0-9a-z]?", token):
                left.append(f"{token!r} in {text!r}")
    return left


def _representative_figures():
    import numpy as np
    import pandas as pd

    from crmlab.loyalty import LadderChain, dick_basu_table
    from crmlab.satisfaction import (
        kano_classify,
        kano_summary,
        make_kano_responses,
        make_servqual_survey,
        net_promoter_score,
        servqual_gaps,
    )

    rng = np.random.default_rng(0)
    n = 60
    matrix = pd.DataFrame({"current_value": rng.gamma(2, 50, n), "potential_value": rng.gamma(2, 50, n),
                           "quadrant": rng.choice(["core", "maintain", "develop", "minimise"], n)})
    segments = pd.Series(rng.choice(["Champions", "At risk", "Hibernating", "Can't lose them"], n))
    snake = pd.DataFrame(rng.normal(size=(3, 3)), index=["Champions", "Lapsing regulars", "Hibernating"],
                         columns=["recency", "frequency", "monetary"])
    types = pd.DataFrame({"satisfaction": rng.uniform(1, 10, n), "loyalty": rng.uniform(1, 10, n),
                          "loyalty_type": rng.choice(["apostle", "mercenary", "hostage", "defector"], n)})
    programme = pd.DataFrame({"net_profit_sim": [1.0, 2.0, 0.5], "net_profit_expected": [1.1, 1.9, 0.6]},
                             index=["baseline", "loyalty programme", "price cut"])
    brands = ["yoplait", "dannon", "hiland", "weight"]
    switching = pd.DataFrame(np.full((4, 4), 0.25), index=brands, columns=brands)
    sensitivity = pd.DataFrame({"value_change_pct": [5.0, 1.0, -0.5, 0.8]},
                               index=["retention", "margin", "discount_rate", "acquisition_cost"])
    grid = pd.DataFrame({"noise": [0.0, 0.5, 0.0, 0.5], "feature_set": ["raw", "raw", "log_scaled", "log_scaled"],
                         "ari_mean": [0.6, 0.3, 0.95, 0.6], "ari_sd": [0.02, 0.05, 0.01, 0.04]})
    kano = kano_summary(kano_classify(make_kano_responses(80, noise=0.3, random_state=1)))
    return {
        "value matrix": lambda: cp.plot_value_matrix(matrix),
        "RFM segments": lambda: cp.plot_rfm_segments(segments, value=rng.gamma(2, 50, n)),
        "snake": lambda: cp.plot_snake(snake),
        "loyalty types": lambda: cp.plot_loyalty_types(types),
        "Dick & Basu": lambda: cp.plot_dick_basu(dick_basu_table(rng.uniform(1, 10, n), rng.uniform(0, 1, n),
                                                                 attitude_cut=5, behaviour_cut=0.5)),
        "ladder": lambda: cp.plot_ladder_path(LadderChain(np.full((6, 6), 1 / 6)).distribution_path("prospect", 5)),
        "switching": lambda: cp.plot_switching_matrix(switching),
        "programme": lambda: cp.plot_programme_comparison(programme),
        "NPS": lambda: cp.plot_nps({"generated": net_promoter_score(rng.integers(0, 11, 200))}),
        "Kano": lambda: cp.plot_kano(kano),
        "SERVQUAL": lambda: cp.plot_servqual_gaps(servqual_gaps(make_servqual_survey(100, random_state=1))),
        "equity": lambda: cp.plot_equity_sensitivity(sensitivity),
        "grid": lambda: cp.plot_grid_metric(grid, x="noise", hue="feature_set"),
    }


@pytest.mark.parametrize("name", list(_representative_figures()))
def test_representative_figures_drawn_in_chinese_keep_no_english_words(name):
    if _labels.cjk_font() is None:
        pytest.skip("no CJK font installed (apt-get install fonts-noto-cjk)")
    draw = _representative_figures()[name]
    with cp.language("en"):
        ax_en = draw()
    english = _english_left(_figure_words(ax_en))
    assert english, f"{name}: the English figure should have English words (is the check blind?)"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # also: no "Glyph missing" warning
        with cp.language("zh"):
            ax = draw()
            ax.figure.canvas.draw()
    left = _english_left(_figure_words(ax))
    assert not left, f"{name}: English left in the Chinese figure: {left}"
    plt.close("all")


def test_axes_made_before_the_cjk_font_was_registered_draw_the_chinese_term(monkeypatch):
    from crmlab.plotting import plot_value_matrix

    if _labels.cjk_font() is None:
        pytest.skip("no CJK font installed (apt-get install fonts-noto-cjk)")
    import pandas as pd

    matrix = pd.DataFrame({"current_value": [1.0, 5.0], "potential_value": [2.0, 4.0], "quadrant": ["core", "develop"]})
    with matplotlib.rc_context():
        matplotlib.rcdefaults()  # as a fresh kernel: no CJK fallback in the font list yet
        monkeypatch.setattr(_labels, "_font", None)
        monkeypatch.setattr(_labels, "_searched", False)
        fig, ax = plt.subplots()  # the user's axes, made before any crmlab figure
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # "Glyph ... missing from font(s)" would fail here
            plot_value_matrix(matrix, ax=ax)
            fig.canvas.draw()
        assert "(客户价值矩阵)" in ax.get_title()
    plt.close(fig)


def test_chapter_cells_route_their_figure_text_through_tr():
    found = _notebook_tr_literals()
    assert {"year", "% still subscribed", "Predicted vs true customer value"} <= set(found)
    assert all(text in _labels.LABELS for text in found), "every tr() text typed in a chapter has a Chinese entry"
