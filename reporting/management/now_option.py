"""The `--now` option of the commands that run a scheduled job by hand, as of a given time."""

import datetime

from django.core.management.base import CommandError
from django.utils import timezone


def add_now_argument(parser, example):
    parser.add_argument(
        "--now",
        help=f"按指定时间运行（ISO 格式，如 {example}；不带时区按北京时间），默认为当前时间。",
    )


def now_from(options, example):
    """The time `--now` names (naive: Beijing time), or the current time without it."""
    if not options["now"]:
        return timezone.now()
    try:
        now = datetime.datetime.fromisoformat(options["now"])
    except ValueError as exc:
        raise CommandError(f"--now 格式应为 {example}") from exc
    return timezone.make_aware(now) if timezone.is_naive(now) else now
