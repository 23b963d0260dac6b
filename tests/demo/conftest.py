import pytest


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """issue 15, item 8: seed_demo stores the demo documents (demo/seed_documents.py): never in the checkout's media/."""
    settings.MEDIA_ROOT = tmp_path
