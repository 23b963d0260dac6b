"""The role model: what a member of staff is. Permissions on roles are in core.rules, nowhere else."""

from django.db import models


class Role(models.TextChoices):
    PA = "pa", "Personal Adviser"
    TEAM_LEADER = "team_leader", "Team Leader"
    SERVICE_LEADER = "service_leader", "Service Leader"
    HEAD_OF_SERVICE = "head_of_service", "Head of Service"
    DUTY_ADMIN = "duty_admin", "Duty admin"


MANAGER_ROLES = (Role.TEAM_LEADER, Role.SERVICE_LEADER, Role.HEAD_OF_SERVICE)
SERVICE_WIDE_ROLES = (Role.SERVICE_LEADER, Role.HEAD_OF_SERVICE)
