"""省级通报 (issue 17): one page per reporting period that the province sends down.

Per 市州, ranked: report completeness (standing reports ÷ active counties), timeliness
(reports first submitted before the deadline ÷ active counties), standard compliance
(operating markets meeting every item of the provincial standard ÷ operating markets) and
activity (new registrations, window visits, postings, headcount, confirmed matches, from
the monitoring figures). The rank orders by completeness, then timeliness, then compliance.

The same lines feed the printable page (templates/reporting/bulletin.html) and the
workbook (`bulletin_workbook`, laid out like the monitoring workbook).
"""

import io
from dataclasses import dataclass, field

from openpyxl import Workbook

from .figures import region_figures
from .map import province_compliance
from .monitoring_workbook import _sheet
from .rollups import M
from .selectors import period_board

ACTIVITY = [M.NEW_SEEKERS, M.VISITS, M.POSTINGS, M.HEADCOUNT, M.MATCHES]
HEADERS = [
    "排名",
    "市州",
    "应报县数",
    "已报",
    "完整率(%)",
    "按时",
    "及时率(%)",
    "运营中市场",
    "达标市场",
    "达标率(%)",
    *(str(m.label) for m in ACTIVITY),
]
WIDTHS = [6, 20, 8, 6, 9, 6, 9, 9, 9, 9, *[10] * len(ACTIVITY)]


def _pct(part, whole):
    return round(100 * part / whole, 1) if whole else None


@dataclass
class BulletinLine:
    division: object
    expected: int = 0
    submitted: int = 0
    on_time: int = 0
    operating: int = 0
    compliant: int = 0
    activity: dict = field(default_factory=dict)
    rank: int = 0

    @property
    def completeness(self):
        return _pct(self.submitted, self.expected)

    @property
    def timeliness(self):
        return _pct(self.on_time, self.expected)

    @property
    def compliance(self):
        return _pct(self.compliant, self.operating)

    @property
    def activity_values(self):
        return [self.activity.get(m, 0) for m in ACTIVITY]

    def figures(self):
        """What the rank is by: completeness, then timeliness, then compliance."""
        return (self.completeness or 0, self.timeliness or 0, self.compliance or 0)

    def sort_key(self):
        return (*(-f for f in self.figures()), self.division.code)

    def values(self, rank=None):
        name = self.division.name if self.division is not None else "全省合计"
        return [
            rank,
            name,
            self.expected,
            self.submitted,
            self.completeness,
            self.on_time,
            self.timeliness,
            self.operating,
            self.compliant,
            self.compliance,
            *self.activity_values,
        ]


def bulletin_lines(user, period):
    """(ranked [BulletinLine] per 市州, total line) in the user's scope."""
    board = period_board(period, user)
    by_county = province_compliance()  # counties out of the user's scope are dropped below
    figures = region_figures(user, ("province", None), period.start, period.end)
    activity = {f.key.pk: f.values for f in figures["children"] if f.key is not None}
    lines = {}
    for board_line in board["cities"]:
        city = board_line.division
        lines[city.pk] = BulletinLine(
            division=city,
            expected=board_line.expected,
            submitted=board_line.submitted,
            on_time=board_line.on_time,
            activity=activity.get(city.pk, {}),
        )
    parents = {c.pk: c.parent_id for c in board["counties"]}
    for county_id, (met, total) in by_county.items():
        line = lines.get(parents.get(county_id))
        if line is not None:
            line.operating += total
            line.compliant += met
    ranked = sorted(lines.values(), key=BulletinLine.sort_key)
    # Equal figures share a rank (1, 2, 2, 4): the code only orders them on the page.
    for position, line in enumerate(ranked, start=1):
        before = ranked[position - 2] if position > 1 else None
        line.rank = before.rank if before is not None and before.figures() == line.figures() else position
    total = BulletinLine(
        division=None,
        expected=sum(x.expected for x in ranked),
        submitted=sum(x.submitted for x in ranked),
        on_time=sum(x.on_time for x in ranked),
        operating=sum(x.operating for x in ranked),
        compliant=sum(x.compliant for x in ranked),
        activity={m: sum(x.activity.get(m, 0) for x in ranked) for m in ACTIVITY},
    )
    return ranked, total


def ranking_sentence(lines):
    """Who leads and who trails, every one of them when several are level, or nothing when
    all are level (a bulletin singles out no one among equals)."""
    if len(lines) < 2 or lines[0].rank == lines[-1].rank:
        return ""
    first = "、".join(x.division.name for x in lines if x.rank == lines[0].rank)
    last = [x.division.name for x in lines if x.rank == lines[-1].rank]
    tied = "（并列）" if len(last) > 1 else ""
    lead = "（并列）" if "、" in first else ""
    return f"报送完整率、及时率和市场达标率综合排名第一的是{first}{lead}，末位为{'、'.join(last)}{tied}。"


def bulletin_title(period):
    return f"全省零工市场{period.name}运行情况通报"


def _styles_for(styles, is_total):
    label = styles.total_label if is_total else styles.label
    count = styles.total_count if is_total else styles.count
    ratio = styles.total_ratio if is_total else styles.ratio
    return [count, label, count, count, ratio, count, ratio, count, count, ratio] + [count] * len(ACTIVITY)


def bulletin_workbook(*, period, lines, total, filing):
    """The XLSX bytes of the bulletin: one sheet, A4 landscape, one page wide."""
    wb = Workbook(write_only=True)
    rows = [(line.values(line.rank), False) for line in lines]
    rows.append((total.values(None), True))
    _sheet(
        wb,
        "通报",
        title=bulletin_title(period),
        filing=filing,
        headers=HEADERS,
        widths=WIDTHS,
        lines=rows,
        styles_for=_styles_for,
    )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
