"""The caseload's rows are written with casework.tables.fast_format_html (issue 16): the same markup as Django's
format_html for every kind of value a row holds."""

import datetime as dt

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy

from casework.tables import IN_ABSENCE, fast_format_html

VALUES = ['<b>Maya</b> & "co" \'s', SafeString("<span>kept</span>"), mark_safe("<i>safe</i>"), IN_ABSENCE, 17, 0,
          dt.date(2026, 12, 3), None, "", "plain", gettext_lazy("Any PA"), "a{b}c", 2.5]


def test_fast_format_html_writes_what_format_html_writes():
    for value in VALUES:
        assert fast_format_html("<td>{}</td>", value) == format_html("<td>{}</td>", value), value
        assert isinstance(fast_format_html("<td>{}</td>", value), SafeString)
    template = "".join("<td>{}</td>" for _ in VALUES)
    assert fast_format_html(template, *VALUES) == format_html(template, *VALUES)
    assert "&lt;b&gt;Maya&lt;/b&gt; &amp; &quot;co&quot; &#x27;s" in fast_format_html("{}", VALUES[0])
