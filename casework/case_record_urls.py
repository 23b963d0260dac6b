"""Issue 11 (items 2-5, 7, 10): the case record pages, included from casework.urls under its marker."""

from django.urls import path

from . import accommodation, details, flags

urlpatterns = [
    path("young-people/<int:pk>/details/", details.details, name="case_record_details"),
    path("young-people/<int:pk>/details/address/new/", details.address_new, name="case_record_address_new"),
    path("young-people/<int:pk>/details/professionals/new/", details.professional_new,
         name="case_record_professional_new"),
    path("young-people/<int:pk>/details/professionals/<int:professional_pk>/end/", details.professional_end,
         name="case_record_professional_end"),
    path("young-people/<int:pk>/accommodation/", accommodation.accommodation, name="case_record_accommodation"),
    path("young-people/<int:pk>/accommodation/new/", accommodation.accommodation_new,
         name="case_record_accommodation_new"),
    path("young-people/<int:pk>/activity/", accommodation.activity, name="case_record_activity"),
    path("young-people/<int:pk>/activity/new/", accommodation.activity_new, name="case_record_activity_new"),
    path("young-people/<int:pk>/flags/", flags.flags, name="case_record_flags"),
    path("young-people/<int:pk>/flags/<int:flag_pk>/clear/", flags.flag_clear, name="case_record_flag_clear"),
]
