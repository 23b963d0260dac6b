"""A small progress bar for long commands (issue 16, item 4): drawn on a terminal, silent otherwise.

tqdm is not a dependency; this is all `import_cases` needs: one line redrawn in place with the phase,
a bar, done/total and the elapsed time, finished with a newline. On a pipe or a file (cron, CI, a log)
nothing is written, so the output stays exactly the summary.
"""

import time
from collections.abc import Callable

WIDTH = 30


class ProgressBar:
    def __init__(self, write: Callable[[str], object], flush: Callable[[], object], *, enabled: bool,
                 unit: str = "young people") -> None:
        """`write` and `flush` go to the terminal's stream; `enabled`: whether it is a terminal."""
        self.write, self.flush = write, flush
        self.unit = unit
        self.enabled = enabled
        self.started = time.monotonic()
        self.drawn = False
        self.last = ""

    def __call__(self, phase: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        filled = WIDTH if total <= 0 else WIDTH * done // total
        line = (f"{phase:<9} [{'#' * filled}{'.' * (WIDTH - filled)}] {done}/{total} {self.unit} "
                f"{time.monotonic() - self.started:.0f}s")
        if line != self.last:
            self.write(f"\r{line}")
            self.flush()
            self.drawn, self.last = True, line

    def close(self) -> None:
        if self.enabled and self.drawn:
            self.write("\n")
            self.flush()
            self.drawn = False

