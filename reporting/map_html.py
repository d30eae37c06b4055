"""The map page's repeated markup, built in Python: 88 county outlines, their table rows and
up to a few thousand market points would otherwise be rendered cell by cell (and one
`{% url %}` per county, twice) by the template engine. Same markup as the template wrote;
every name and label is escaped by `format_html`."""

from django.urls import reverse
from django.utils.html import format_html_join


def _county_link(period):
    base = reverse("reporting:monitoring")
    return lambda code: f"{base}?county={code}&period={period.pk}"


def county_shapes(data, period):
    link = _county_link(period)
    return format_html_join(
        "\n",
        '<a class="county" href="{}" data-county="{}"><path d="{}" fill="{}" fill-rule="evenodd"><title>{}{}：{}'
        "</title></path></a>",
        (
            (link(c.division.code), c.division.code, c.path, c.colour, c.division.parent.short_name,
             c.division.name, c.display)
            for c in data.counties
        ),
    )  # fmt: skip


def market_circles(data):
    r = data.point_r
    return format_html_join(
        "",
        '<circle class="market-point" cx="{}" cy="{}" r="{}" fill="{}" data-market="{}">'
        "<title>{}（{}）</title></circle>",
        ((p["x"], p["y"], r, p["colour"], p["pk"], p["name"], p["status"]) for p in data.markets),
    )


def county_table_rows(data, period):
    link = _county_link(period)
    return format_html_join(
        "\n",
        '<tr data-county="{}"><td>{}</td><td><a href="{}">{}</a></td><td>{}</td></tr>',
        (
            (c.division.code, c.division.parent.short_name, link(c.division.code), c.division.name, c.display)
            for c in data.counties
        ),
    )
