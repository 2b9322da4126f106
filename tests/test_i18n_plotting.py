"""Figures speak Chinese in the Chinese edition: label table, language context, CJK font or a clear warning."""

from __future__ import annotations

import ast
import warnings
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import crmlab.plotting as cp  # noqa: E402
from crmlab.plotting import _labels  # noqa: E402

PLOTTING = Path(cp.__file__).parent


def _tr_literals() -> dict[str, list[str]]:
    """Every string literal passed to ``tr(...)`` (or held by a module's ``_LABELS`` table) in crmlab.plotting."""
    found: dict[str, list[str]] = {}
    for path in sorted(PLOTTING.glob("[a-z]*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            texts = []
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "tr":
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
