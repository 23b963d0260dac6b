"""Issue 16: the digests' e-mails (oversight.mail.DigestEmail) are built from a copy of Django's body part made once,
and must be exactly the message Django's EmailMessage builds: the same headers in the same order, the same text,
charset and transfer encoding, and the same bytes, whatever the text (ASCII or not, empty, long lines, folded or
encoded subjects, unusual addresses). Date and Message-ID differ between any two messages, so both are fixed here."""

from unittest import mock

import pytest
from django.core.mail import EmailMessage
from hypothesis import given, settings
from hypothesis import strategies as st

from oversight.mail import DigestEmail

FROM = "Leaving care <noreply@example.org>"
DIGEST = (
    "2 new alerts, also in your notifications:\n\n"
    "- Visit for Ann Two (YP0002) is due on 7 Mar 2026.\n  /young-people/2/\n"
    "- Pathway plan review for Ann Two (YP0002) is due on 21 Mar 2026.\n  /young-people/2/"
)
BODIES = {
    "digest": DIGEST,
    "empty": "",
    "a name not in ASCII": DIGEST.replace("Ann Two", "Zoë Ŵright-Ó'Brien"),
    "not Latin": DIGEST.replace("Ann Two", "Анна 李"),
    "a line too long for SMTP": DIGEST + "\n- " + "x" * 1200,
    "a long line not in ASCII": "é" * 600,
    "other line ends": "one\r\ntwo\rthree\n\nfour\u2028five\x0bsix",
    "a line starting From": "From here on\n.\n..",
}
SUBJECTS = ["[Leaving care] 1 alert about your young people", "[Leaving care] " + "many alerts " * 12, "Zoë's alerts", ""]
ADDRESSES = [["pa@example.org"], ["Ann Ó <ann@example.org>", "b@example.org"], ["josé@exämple.org"]]


def _fixed(message: EmailMessage):
    """message.message(), with the Date and Message-ID both ways would give any message fixed."""
    with (
        mock.patch("django.core.mail.message.formatdate", return_value="Sun, 01 Mar 2026 03:00:00 -0000"),
        mock.patch("oversight.mail.formatdate", return_value="Sun, 01 Mar 2026 03:00:00 -0000"),
        mock.patch("django.core.mail.message.make_msgid", return_value="<1@example.org>"),
        mock.patch("oversight.mail.make_msgid", return_value="<1@example.org>"),
    ):
        return message.message()


def _same(subject: str, body: str, to: list[str]) -> None:
    theirs = _fixed(EmailMessage(subject=subject, body=body, from_email=FROM, to=to))
    ours = _fixed(DigestEmail(subject=subject, body=body, from_email=FROM, to=to))
    assert type(ours) is type(theirs)
    assert ours.items() == theirs.items()
    assert ours.get_payload() == theirs.get_payload()
    assert str(ours.get_charset()) == str(theirs.get_charset())
    assert ours.as_bytes(linesep="\r\n") == theirs.as_bytes(linesep="\r\n")  # what the SMTP backend sends
    assert ours.as_string() == theirs.as_string()


@pytest.mark.parametrize("body", BODIES.values(), ids=BODIES.keys())
@pytest.mark.parametrize("subject", SUBJECTS)
@pytest.mark.parametrize("to", ADDRESSES)
def test_a_digest_is_the_message_django_builds(body, subject, to):
    _same(subject, body, to)


def test_the_digests_text_takes_the_cheap_way_and_an_over_long_line_does_not():
    """So the comparisons above test the copy, not Django compared with itself: a digest's text, ASCII or not, is
    built from the copy; a line longer than SMTP allows (Django sends it as quoted-printable) is Django's."""
    for key in ("digest", "empty", "a name not in ASCII", "not Latin", "other line ends"):
        assert DigestEmail(subject="s", body=BODIES[key], from_email=FROM, to=["a@example.org"]).copies_body_part(), key
    for key in ("a line too long for SMTP", "a long line not in ASCII"):
        assert not DigestEmail(subject="s", body=BODIES[key], from_email=FROM, to=["a@example.org"]).copies_body_part(), key
    assert not DigestEmail(subject="s", body="b", from_email=FROM, to=["a@example.org"], cc=["c@example.org"]).copies_body_part()
    assert not DigestEmail(
        subject="s", body="b", from_email=FROM, to=["a@example.org"], headers={"X-Night": "1"}
    ).copies_body_part()


def test_each_digest_has_its_own_headers_and_text():
    """The copies share nothing a message changes: building one leaves the next (and the part copied) as it was."""
    first = _fixed(DigestEmail(subject="First", body="one", from_email=FROM, to=["a@example.org"]))
    second = _fixed(DigestEmail(subject="Second", body="twö", from_email=FROM, to=["b@example.org"]))
    third = _fixed(DigestEmail(subject="Third", body="three", from_email=FROM, to=["c@example.org"]))
    assert (first["Subject"], first["To"], first.get_payload()) == ("First", "a@example.org", "one")
    assert (third["Subject"], third["To"], third.get_payload()) == ("Third", "c@example.org", "three")
    assert second["Content-Transfer-Encoding"] == "8bit" and third["Content-Transfer-Encoding"] == "7bit"
    assert [name for name, _ in third.items()] == [
        "Content-Type",
        "MIME-Version",
        "Content-Transfer-Encoding",
        "Subject",
        "From",
        "To",
        "Date",
        "Message-ID",
    ]


@settings(max_examples=150, deadline=None)
@given(
    subject=st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=120),
    lines=st.lists(st.text(st.characters(blacklist_categories=("Cs",)), max_size=80), max_size=12),
)
def test_any_text_makes_the_message_django_builds(subject, lines):
    _same(subject, "\n".join(lines), ["pa@example.org"])
