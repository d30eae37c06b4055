"""The trend chart of the monitoring page: a server-rendered SVG line chart (no script,
CSP-friendly). Self-contained: it takes plain series and labels, knows nothing of rollups
or figures, so it can be replaced by a chart library without touching anything else.
"""


def svg_line_chart(series, *, labels=(), width=640, height=220, pad=36):
    """Points for a server-rendered SVG line chart (no script, CSP-friendly).

    `series` is [(name, colour, [values…])]; all lists have the same length as `labels`.
    """
    lengths = {len(values) for _, _, values in series}
    count = max(lengths) if lengths else 0
    top = max([v for _, _, values in series for v in values] + [1])
    step = (width - 2 * pad) / max(count - 1, 1)

    def xy(i, v):
        return round(pad + i * step, 1), round(height - pad - (height - 2 * pad) * v / top, 1)

    lines = []
    for name, colour, values in series:
        pts = [xy(i, v) for i, v in enumerate(values)]
        lines.append(
            {
                "name": name,
                "colour": colour,
                "points": " ".join(f"{x},{y}" for x, y in pts),
                "dots": [(x, y, v) for (x, y), v in zip(pts, values, strict=True)],
            }
        )
    xlabels = [(xy(i, 0)[0], label) for i, label in enumerate(labels)]
    return {
        "width": width,
        "height": height,
        "pad": pad,
        "top": top,
        "lines": lines,
        "base": height - pad,
        "label_y": height - pad + 16,
        "xlabels": xlabels,
    }
