"""Headless figures are laid out like the window: keys sit below the plots, not on them."""

from playground.cli import main


def test_layer_statistics_key_sits_below_the_plots(tmp_path, qapp):
    from playground.ui.figures import render
    from playground.ui.model.reopen import open_history

    out = tmp_path / "run"
    assert main(["run", "--preset", "ib-tanh", "--epochs", "5", "--quiet", "--out", str(out)]) == 0
    views = render.drawn_views(open_history(out))
    try:
        view = next(v for v in views if v.key == "layer_stats")
        assert not view.showing_message
        legend = view.legend.sceneBoundingRect()
        plots = view.norm_plot.sceneBoundingRect().united(view.hist_plot.sceneBoundingRect())
        assert legend.height() > 0
        assert legend.top() >= plots.bottom() - 1
        assert "live only" in view.hist_plot.titleLabel.text
    finally:
        render.discard(views)


def test_information_plane_layers_ending_together_share_one_label(qtbot):
    from playground.ui.views.info_plane import InfoPlaneView

    view = InfoPlaneView()
    qtbot.addWidget(view)
    view._ensure_lines(4)
    ends = [(12.0, 0.999, "L1", "#111"), (11.8, 0.99, "L2", "#222"), (5.0, 0.9, "L3", "#333"),
            (11.9, 0.995, "L4", "#444")]
    view._place_labels(ends)
    texts = [label.textItem.toPlainText() for label in view.labels]
    assert sorted(t for t in texts if t) == ["L1 L2 L4", "L3"]
