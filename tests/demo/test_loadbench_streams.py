"""Issue 16: bench_load times a streamed export to its first byte and to its last (wrk's latency of a whole
download is not comparable to a page's). No timing is asserted here: only that the client reads a download
whole and that the percentiles are taken from what it measured."""

from urllib.parse import urlsplit

import pytest

from demo import loadbench


def test_stream_figures_take_the_percentiles_of_each_measure():
    fetched = [(i / 1000, (i + 100) / 1000, 5) for i in range(1, 21)]  # 1-20 ms to the first byte, 101-120 to the last
    figures = loadbench.stream_figures("longest overdue", fetched)
    assert (figures.requests, figures.bytes) == (20, 5)
    assert (round(figures.first_byte_p50_ms), round(figures.first_byte_p95_ms)) == (11, 19)
    assert (round(figures.whole_p50_ms), round(figures.whole_p95_ms)) == (111, 119)
    assert "first byte" in figures.line() and "whole download" in figures.line()


@pytest.mark.django_db(transaction=True)
def test_the_client_reads_a_download_to_its_last_byte(live_server):
    port = urlsplit(live_server.url).port
    target = loadbench.Target("login page", None, "/login/", streamed=True)
    first_byte, whole, length = loadbench._fetch(port, target.url, None)  # noqa: SLF001
    assert 0 < first_byte <= whole
    assert length > 1000  # the whole page, not its first byte
    with pytest.raises(RuntimeError, match="answered 404"):
        loadbench._fetch(port, "/no/such/page/", None)  # noqa: SLF001
