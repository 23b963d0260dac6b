"""Who may export the returns: the whole service's data, so service-wide roles only."""

import rules

from careleavers.rules import is_service_wide

rules.add_perm("returns.export", is_service_wide)
