"""Native, editable PowerPoint charts: bars (clustered or stacked to 100%),
two-level categories, and small multiples that share one scale.
"""

from __future__ import annotations

import math
from typing import Any

from pptx.chart.data import CategoryChartData
from pptx.enum.chart import (
    XL_CHART_TYPE,
    XL_LABEL_POSITION,
    XL_LEGEND_POSITION,
    XL_TICK_LABEL_POSITION,
)
from pptx.enum.text import PP_ALIGN
from pptx.oxml import parse_xml
from pptx.oxml.ns import nsdecls, qn
from pptx.util import Inches, Pt

from survey.export.pptx._common import _MUTED, _SMALL_SEGMENT
from survey.export.pptx.deck import _Box
from survey.export.pptx.layout import _dark, _lines, _missing, _rgb, _text_box
from survey.export.pptx.slides import _Chart
from survey.report import style

__all__ = ["_add_chart", "_add_panels"]


def _add_panels(slide: Any, spec: _Chart, box: _Box) -> None:
    """One bar chart per series side by side (small multiples): the first carries the
    category labels, every plot area is placed by hand so that the bars line up, and all
    share one scale so that bar lengths compare across panels."""
    count = len(spec.series)
    label_width = int(min(box.width * 0.26, Inches(3.0)))
    panel_width = (box.width - label_width) // max(count, 1)
    size = 12.0
    while size > 9 and max(_lines(n, panel_width, size, bold=True) for n, _ in spec.series) > 3:
        size -= 1
    lines = max(_lines(name, panel_width, size, bold=True) for name, _ in spec.series)
    header = int((lines * size * 1.25 + 8) * 12700)
    finite = [v for _, values in spec.series for v in values if not _missing(v)]
    top = max(finite, default=1.0)
    maximum = min(1.0, math.ceil(top * 1.45 * 10) / 10) if top <= 0.95 else 1.0
    for index, (name, values) in enumerate(spec.series):
        plot_left = box.left + label_width + index * panel_width
        heading = _text_box(
            slide,
            _Box(plot_left, box.top, panel_width, header),
            [name],
            size=size,
            colour="#222222",
        )
        paragraph = heading.text_frame.paragraphs[0]
        paragraph.alignment = PP_ALIGN.CENTER
        paragraph.runs[0].font.bold = True
        colour = style.PALETTE[index % (len(style.PALETTE) - 1)]
        panel = _Chart(
            categories=spec.categories,
            series=[(name, values)],
            number_format=spec.number_format,
            point_colours=[style.PALETTE[-1] if i == 0 else colour for i in range(len(values))],
            maximum=maximum,
            category_labels=index == 0,
        )
        left = box.left if index == 0 else plot_left
        width = panel_width + (label_width if index == 0 else 0)
        chart = _add_chart(slide, panel, _Box(left, box.top + header, width, box.height - header))
        inner = (label_width / width) if index == 0 else 0.0
        _plot_layout(chart, x=inner, width=(panel_width / width) * 0.97)


def _plot_layout(chart: Any, *, x: float, width: float) -> None:
    """Place a chart's plot area (the bars, without the axis labels) by hand."""
    plot_area = chart._chartSpace.find(f"{qn('c:chart')}/{qn('c:plotArea')}")
    old = plot_area.find(qn("c:layout"))
    if old is not None:
        plot_area.remove(old)
    plot_area.insert(
        0,
        parse_xml(
            f"<c:layout {nsdecls('c')}><c:manualLayout>"
            '<c:layoutTarget val="inner"/><c:xMode val="edge"/><c:yMode val="edge"/>'
            f'<c:x val="{x:.4f}"/><c:y val="0.01"/><c:w val="{width:.4f}"/><c:h val="0.97"/>'
            "</c:manualLayout></c:layout>"
        ),
    )


def _add_chart(slide: Any, spec: _Chart, box: _Box) -> Any:
    data = CategoryChartData(number_format=spec.number_format)
    if spec.levels:
        position = 0
        for parent, count in spec.levels:
            category = data.add_category(parent)
            for label in spec.categories[position : position + count]:
                category.add_sub_category(label)
            position += count
    else:
        data.categories = spec.categories
    for name, values in spec.series:
        data.add_series(name, [None if _missing(v) else v for v in values], spec.number_format)
    kind = XL_CHART_TYPE.BAR_STACKED_100 if spec.stacked else XL_CHART_TYPE.BAR_CLUSTERED
    chart = slide.shapes.add_chart(kind, *box, data).chart
    chart.font.size = Pt(12)
    chart.has_title = False
    chart.has_legend = len(spec.series) > 1
    if chart.has_legend:
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
        chart.legend.font.size = Pt(12)
    plot = chart.plots[0]
    plot.gap_width = 40 if len(spec.series) > 1 else 60
    plot.vary_by_categories = False
    if spec.stacked:
        plot.overlap = 100
    categories = chart.category_axis
    categories.reverse_order = True  # the first category at the top
    categories.tick_labels.font.size = Pt(12 if len(spec.categories) <= 12 else 11)
    if not spec.category_labels:
        categories.tick_label_position = XL_TICK_LABEL_POSITION.NONE
    categories.format.line.color.rgb = _rgb("#BFBFBF")
    values = chart.value_axis
    values.tick_labels.number_format = spec.number_format
    values.tick_labels.number_format_is_linked = False
    values.tick_labels.font.size = Pt(11)
    crosses = values._element.find(qn("c:crosses"))
    if crosses is not None:
        crosses.set("val", "max")  # the value axis below the (reversed) categories
    finite = [v for _, vs in spec.series for v in vs if not _missing(v)]
    if spec.stacked:
        values.maximum_scale = 1.0
        values.has_major_gridlines = False
    else:
        # every bar has its label: the value axis would only repeat them
        values.visible = False
        values.has_major_gridlines = False
        values.minimum_scale = min(0.0, min(finite, default=0.0))
        if spec.maximum is not None:
            values.maximum_scale = spec.maximum
        elif spec.number_format.endswith("%"):
            # room for the labels beyond the longest bar, on a round 5-point step
            values.maximum_scale = min(1.0, math.ceil(max(finite, default=1.0) * 1.15 * 20) / 20)
    bars = len(spec.categories) * (1 if spec.stacked else len(spec.series))
    label_size = 12 if bars <= 12 else 11 if bars <= 24 else 10
    for index, series in enumerate(plot.series):
        colour = (
            spec.series_colours[index]
            if spec.series_colours is not None
            else style.PALETTE[index % len(style.PALETTE)]
        )
        series.format.fill.solid()
        series.format.fill.fore_color.rgb = _rgb(colour)
        series.invert_if_negative = False
        labels = series.data_labels
        labels.show_value = True
        labels.number_format = spec.number_format
        labels.number_format_is_linked = False
        labels.font.size = Pt(label_size)
        if spec.stacked:
            labels.position = XL_LABEL_POSITION.CENTER
            labels.font.color.rgb = _rgb("#FFFFFF" if _dark(colour) else "#000000")
            for point, value in enumerate(spec.series[index][1]):
                if _missing(value) or value < _SMALL_SEGMENT:
                    _hide_label(series, point)
        else:
            labels.position = XL_LABEL_POSITION.OUTSIDE_END
            labels.font.color.rgb = _rgb("#222222")
        if spec.point_colours is not None and len(spec.series) == 1:
            for point, point_colour in enumerate(spec.point_colours):
                fill = series.points[point].format.fill
                fill.solid()
                fill.fore_color.rgb = _rgb(point_colour)
        for point in spec.muted:
            fill = series.points[point].format.fill
            fill.solid()
            fill.fore_color.rgb = _rgb(_MUTED[min(index, len(_MUTED) - 1)])
    return chart


def _hide_label(series: Any, point: int) -> None:
    """Leave one data label off (``<c:dLbl><c:idx/><c:delete val="1"/></c:dLbl>``)."""
    dlbls = series._element.get_or_add_dLbls()
    label = dlbls._insert_dLbl_in_sequence(point)
    for child in list(label)[1:]:
        label.remove(child)
    label.append(parse_xml(f'<c:delete {nsdecls("c")} val="1"/>'))
