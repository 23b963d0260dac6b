"""Where the shared acceptance examples live: ../shared/examples beside the checkout."""

import pathlib

from .services import require

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent.parent / "shared" / "examples"


def examples_dir() -> pathlib.Path:
    """Skips (fails under CI=true) where the shared folder is absent, as on a newcomer's clone."""
    require(EXAMPLES.is_dir(), f"the shared examples folder {EXAMPLES}")
    return EXAMPLES


def example_names() -> list[str]:
    if not EXAMPLES.is_dir():
        return ["(shared examples absent)"]
    return sorted(p.name.removesuffix(".json") for p in EXAMPLES.glob("*.json") if ".expected-" not in p.name)
