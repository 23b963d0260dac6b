"""Issue 16, item 2: the returns worked out by a task and stored, so the Returns page reads them.

A computation is one run of `returns.computed.returns_compute` for a collection year (the nightly run,
`manage.py compute_returns`, or a Service Leader's "Recompute now"); its rows are the young people the
page lists as lacking data, one row each, with what they lack (the same messages build_returns gives)."""

from django.db import models
from django.utils import timezone


class ReturnsComputation(models.Model):
    year = models.PositiveIntegerField(help_text="The collection year starting on 1 April of this year.")
    computed_at = models.DateTimeField(default=timezone.now)
    run = models.CharField(max_length=120, help_text="What worked it out: the nightly run, the command, or who asked.")
    oc3_count = models.PositiveIntegerField(default=0)
    annex_a_count = models.PositiveIntegerField(default=0)
    lacking_count = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["year", "-computed_at"], name="returns_comp_year_at")]

    def __str__(self) -> str:
        return f"Returns {self.year}-{str(self.year + 1)[2:]} worked out at {self.computed_at:%Y-%m-%d %H:%M}"


class ReturnsLackingRow(models.Model):
    computation = models.ForeignKey(ReturnsComputation, on_delete=models.CASCADE, related_name="rows")
    young_person = models.ForeignKey("careleavers.YoungPerson", on_delete=models.PROTECT, related_name="+")
    ref = models.CharField(max_length=40)
    problems = models.JSONField(default=list)

    class Meta:
        indexes = [models.Index(fields=["computation", "ref"], name="returns_row_comp_ref")]

    def __str__(self) -> str:
        return f"{self.ref}: {len(self.problems)} problems"
