"""The machinery every demo shares: live widget or static figure, one recompute-and-redraw loop.

A demo module validates its arguments, writes ``compute`` (the crmlab numbers) and ``draw`` (the
crmlab.plotting figure), and hands them to :func:`build_demo` with one :class:`Control` per value;
whether widgets are built at all is decided here, once.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["ENV_VAR", "Demo", "widget_mode"]

#: Environment variable that picks the mode: ``"live"`` or ``"static"``.
ENV_VAR = "CRMLAB_WIDGETS"
_MODES = ("live", "static")


def widget_mode(*, static: bool | None = None) -> str:
    """Return ``"live"`` or ``"static"``: how a demo shows itself.

    Parameters
    ----------
    static : bool, optional
        ``True`` forces the static figure, ``False`` the live widget. ``None`` reads the
        environment variable ``CRMLAB_WIDGETS`` (``"live"`` or ``"static"``; the course build,
        ``crmlab course execute`` and the nbval run set ``"static"``); when it is unset the demo is
        live inside an IPython kernel and static elsewhere (a script, a headless test).

    Returns
    -------
    str

    Raises
    ------
    ValueError
        If ``CRMLAB_WIDGETS`` holds anything else.

    Examples
    --------
    >>> widget_mode(static=True), widget_mode(static=False)
    ('static', 'live')
    """
    if static is not None:
        return "static" if static else "live"
    value = os.environ.get(ENV_VAR, "").strip().lower()
    if value:
        if value not in _MODES:
            raise ValueError(f"widget_mode(): environment variable {ENV_VAR} must be one of {list(_MODES)}; "
                             f"got {value!r}.")
        return value
    return "live" if "ipykernel" in sys.modules else "static"


class Demo:
    """A live demonstration: controls, the numbers they produce and the figure drawn from them.

    Every demo function of :mod:`crmlab.widgets` returns one. ``values`` are the current control
    values, ``result`` the numbers computed from them by a crmlab function, ``ax`` the figure
    drawn from ``result`` by a crmlab.plotting function. In live mode moving a control (or
    calling :meth:`set`) recomputes and redraws; in static mode the demo shows the figure for
    its initial values only. Displayed in a notebook it shows the widget (live) or a PNG of the
    figure (static, deterministic for nbval).

    Parameters
    ----------
    controls : mapping of str to (ipywidgets.ValueWidget or None)
        One control per value (``None`` in static mode, where no widget is built).
    values : mapping of str to object
        Initial values.
    compute : callable
        ``compute(**values) -> result``.
    draw : callable
        ``draw(result, values, ax) -> Axes``.
    mode : {"live", "static"}
        ``"live"`` builds the widgets and redraws on every change; ``"static"``
        draws once with the initial values.
    figsize : tuple of float, default=(6.0, 3.5)
        Figure width and height in inches.

    Examples
    --------
    >>> from crmlab.widgets import satisfaction_demo
    >>> demo = satisfaction_demo(6.0, 8.0, static=True)
    >>> _ = demo.set(perceived=9.0)
    >>> demo.values, demo.result["state"].tolist()
    ({'perceived': 9.0, 'expected': 8.0}, ['delighted'])
    """

    def __init__(self, controls: Mapping[str, Any], values: Mapping[str, Any], compute: Callable[..., Any],
                 draw: Callable[[Any, dict[str, Any], Any], Any], *, mode: str,
                 figsize: tuple[float, float] = (6.0, 3.5)) -> None:
        self.mode = mode
        self.values = dict(values)
        self._compute = compute
        self._draw = draw
        self._figsize = figsize
        self.controls = dict(controls)
        self.widget = None
        self._output = None
        if mode == "live":
            import ipywidgets

            self._output = ipywidgets.Output()
            self.widget = ipywidgets.VBox([ipywidgets.HBox(list(self.controls.values())), self._output])
            for name, control in self.controls.items():
                control.observe(self._on_change(name), names="value")
        self._update()

    def _on_change(self, name: str) -> Callable[[dict[str, Any]], None]:
        def handler(change: dict[str, Any]) -> None:
            self.values[name] = change["new"]
            self._update()

        return handler

    def _update(self) -> None:
        from crmlab.plotting.demos import demo_axes

        self.result = self._compute(**self.values)
        self.ax = self._draw(self.result, dict(self.values), demo_axes(self._figsize))
        if self._output is not None:
            self._output.outputs = ()
            self._output.append_display_data(self._image())

    def _image(self) -> Any:
        from IPython.display import Image

        from crmlab.plotting.demos import figure_png

        return Image(data=figure_png(self.ax), format="png")

    def set(self, **values: Any) -> Demo:
        """Move controls by name (as a lecturer would) and return the demo.

        Raises
        ------
        KeyError
            If a name is not one of the demo's controls.
        """
        unknown = sorted(set(values) - set(self.values))
        if unknown:
            raise KeyError(f"Demo.set(): unknown control(s) {unknown}; the controls are {sorted(self.values)}.")
        if self.mode == "live":
            for name, value in values.items():
                self.controls[name].value = value  # fires the observer
        else:
            self.values.update(values)
            self._update()
        return self

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget if self.mode == "live" else self._image())

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v!r}" for k, v in self.values.items())
        return f"Demo({self.mode}: {shown})"


@dataclass(frozen=True)
class Control:
    """How one value is moved in live mode: a slider over ``[low, high]`` or a drop-down of ``options``.

    The slider holds whole numbers when the demo's initial value is an ``int``, else floats;
    ``step=None`` keeps ipywidgets' default step.
    """

    label: str
    low: float | None = None
    high: float | None = None
    step: float | None = None
    options: tuple[Any, ...] = ()

    def widget(self, value: Any) -> Any:
        """Return the ipywidgets control showing ``value`` (ipywidgets is imported only here)."""
        import ipywidgets

        if self.options:
            return ipywidgets.Dropdown(value=value, options=list(self.options), description=self.label)
        whole = isinstance(value, int) and not isinstance(value, bool)
        slider = ipywidgets.IntSlider if whole else ipywidgets.FloatSlider
        step = {} if self.step is None else {"step": self.step}
        return slider(value=value, min=self.low, max=self.high, description=self.label, **step)


def build_demo(values: Mapping[str, Any], compute: Callable[..., Any], draw: Callable[[Any, dict[str, Any], Any], Any],
               *, controls: Mapping[str, Control], static: bool | None,
               figsize: tuple[float, float] = (6.0, 3.5)) -> Demo:
    """Return the :class:`Demo` of ``values``: with one widget per control when live, with none when static.

    ``static`` is passed to :func:`widget_mode`; ``controls`` names a :class:`Control` for every value.
    """
    mode = widget_mode(static=static)
    widgets = {name: control.widget(values[name]) for name, control in controls.items()} if mode == "live" else {}
    return Demo(widgets, values, compute, draw, mode=mode, figsize=figsize)
