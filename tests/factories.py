import datetime as dt

import factory
from django.contrib.auth import get_user_model

from approvals.models import Arrangement, ArrangementState
from careleavers.models import Allocation, Event, LegalStatus, Role, Staff, Team, YoungPerson
from contacts.models import Contact, Method, Outcome, With
from pathway.models import PathwayPlan, PlanState


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("ref",)

    ref = factory.Sequence(lambda n: f"team-{n}")
    name = factory.LazyAttribute(lambda o: f"{o.ref.title()} Team")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct horse battery")


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Staff

    ref = factory.Sequence(lambda n: f"staff-{n}")
    user = factory.SubFactory(UserFactory, username=factory.SelfAttribute("..ref"))
    name = factory.Faker("name", locale="en_GB")
    role = Role.PA
    team = factory.SubFactory(TeamFactory)
    email = factory.LazyAttribute(lambda o: f"{o.ref}@example.gov.uk")


class YoungPersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = YoungPerson
        skip_postgeneration_save = True

    ref = factory.Sequence(lambda n: f"YP-{n:05d}")
    name = factory.Faker("name", locale="en_GB")
    date_of_birth = dt.date(2006, 4, 12)
    legal_status = LegalStatus.FORMER_RELEVANT
    pa = factory.SubFactory(StaffFactory)
    allocated_on = dt.date(2025, 6, 1)

    @factory.post_generation
    def allocation(obj, create, extracted, **kwargs):  # noqa: N805  (factory_boy passes the built object)
        if create and obj.pa:
            Allocation.objects.create(young_person=obj, pa=obj.pa, start=obj.allocated_on)


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    young_person = factory.SubFactory(YoungPersonFactory)
    date = dt.date(2026, 1, 5)
    method = Method.HOME_VISIT
    with_whom = With.YOUNG_PERSON
    outcome = Outcome.COMPLETED


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    young_person = factory.SubFactory(YoungPersonFactory)
    kind = "custody_start"
    date = dt.date(2026, 1, 10)


class SignedOffPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PathwayPlan

    young_person = factory.SubFactory(YoungPersonFactory)
    version = factory.Sequence(lambda n: n + 1)
    state = PlanState.SIGNED_OFF
    review_date = dt.date(2025, 10, 1)


class ArrangementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Arrangement

    young_person = factory.SubFactory(YoungPersonFactory)
    kind = "reduced_visits"
    state = ArrangementState.ACTIVE
    active_from = dt.date(2025, 9, 1)
