import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_wsgi_application()

# Issue 16: the URL configuration, and with it every view module, is loaded as the worker starts. Django loads it on
# the first request, which then paid 0.3-0.8 s of imports: a worker's first download started sending only after them
# (the longest overdue CSV's first byte at 692 ms, against 23 ms for every later one).
get_resolver().url_patterns  # noqa: B018  (read for what loading it does)

# Issue 16: what is loaded by now lives as long as the worker, so it is moved out of the collector's reach: a full
# collection then walks what requests made (a few thousand objects) instead of all 190 000, which took 60-100 ms each
# time, once every 20-60 requests of a dashboard (on the p95). Frozen objects are still freed by reference counting;
# only a cycle among them would stay, and they are the modules, classes and caches a worker keeps anyway.
gc.collect()
gc.freeze()
