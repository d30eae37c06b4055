"""Where the apps above registry (matching) plug into registry's writes and reads.

Registry sits below matching and never imports it. What matching adds to a registry
write — the 欠薪 block on publishing, closing the online applications of a posting that
stopped taking workers, linking applications to a worker identified at the counter — it
adds by connecting a receiver here from `MatchingConfig.ready()` (`matching/receivers.py`).

Every signal is sent inside the transaction of the write, with `send()` (not
`send_robust`): a receiver's exception rolls the write back, and a receiver raising
`ValidationError` refuses it with its Chinese message.
"""

from django.dispatch import Signal

# Before a posting is published for `employer` (a model instance); `action` names the step
# for the message ("发布用工需求"). A receiver raises ValidationError to refuse it.
posting_publishing = Signal()

# A posting stopped taking workers: `posting` (row locked), `status` (filled / closed /
# expired), `by` (None for the scheduled expiry).
posting_closed = Signal()

# The counter identified `worker` (a completed 扫码登记); `mobile` is the number it was
# submitted with.
worker_identified = Signal()

# Reads: receivers return a boolean expression over EmployerNeed rows (OuterRef on its
# fields), true when the need's employer must be flagged in the clerk's review queue.
need_flags = Signal()

# Reads: receivers return {posting_id: applicants} for `posting_ids` (the employer's
# "已报名 N 人" in 我的招工); the answers are added up.
applicant_counts = Signal()
