"""The digest e-mails' MIME message, built cheaply (issue 16).

A first night sends about 4 500 digests, and Django's EmailMessage.message() spent about 0.06 ms of Python on
each (0.25-0.27 s in all, measured alone; 0.06 s this way): every message builds its body part through the email
package (the charset and its parameter on Content-Type, the transfer encoding) and encodes its subject through
email.header.Header. Those parts are the same for every digest whose text has the same shape. DigestEmail builds
them once per process, with Django's own code, and gives each message a copy with its own text and headers: the
same message object, so the same bytes on the wire (tests/oversight/test_digest_mail.py compares the two on many
texts). Anything else (a line too long for SMTP, which Django sends as quoted-printable; another charset;
attachments, alternatives, cc, reply-to, extra headers) goes through Django's message() unchanged.
"""

import copy
from email.message import Message
from email.utils import formatdate, make_msgid
from functools import lru_cache

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.message import RFC5322_EMAIL_LINE_LENGTH_LIMIT, SafeMIMEText, forbid_multi_line_headers
from django.core.mail.utils import DNS_NAME

#: The charset the cheap way builds (Django's default). Another charset goes through Django's message().
CHARSET = "utf-8"


@lru_cache(maxsize=4)
def _body_part(*, ascii_text: bool) -> SafeMIMEText:
    """Django's body part for a text of this shape (ASCII or not, no line too long): its headers and charset, which
    depend on nothing else. Never handed out: each message gets a copy."""
    return SafeMIMEText("x" if ascii_text else "\u00e9", "plain", CHARSET)


@lru_cache(maxsize=256)
def _subject(subject: str) -> tuple[str, str]:
    """The Subject header as Django writes it (encoded by email.header.Header): a few dozen distinct subjects a
    night."""
    return forbid_multi_line_headers("Subject", subject, CHARSET)


class DigestEmail(EmailMessage):
    """An EmailMessage whose message() is Django's, built from a per-process copy of its body part where the text
    allows (see the module's docstring)."""

    def copies_body_part(self) -> bool:
        """Whether message() builds this message from the copy of Django's body part (else it is Django's message())."""
        if (self.encoding or settings.DEFAULT_CHARSET) != CHARSET or self.content_subtype != "plain":
            return False
        if self.attachments or self.cc or self.reply_to or self.extra_headers or getattr(self, "alternatives", None):
            return False
        if not isinstance(self.body, str) or not isinstance(self.subject, str):
            return False
        # Django's set_payload sends a text with a line longer than SMTP allows as quoted-printable.
        return all(
            len(line.encode(errors="surrogateescape")) <= RFC5322_EMAIL_LINE_LENGTH_LIMIT for line in self.body.splitlines()
        )

    def message(self):
        if not self.copies_body_part():
            return super().message()
        ascii_text = self.body.isascii()
        # A shallow copy, with its own header list. (The email package keeps a message's headers and text in
        # attributes it has no public setter for, short of the work this is there to save.)
        msg = copy.copy(_body_part(ascii_text=ascii_text))
        msg._headers = list(msg._headers)  # noqa: SLF001
        msg.defects = []
        # What Message.set_payload keeps for a text in this charset (which is its own output charset, so no body
        # encoding): the text's UTF-8 bytes read as ASCII with surrogate escapes (the text itself when ASCII).
        msg._payload = (  # noqa: SLF001
            self.body if ascii_text else self.body.encode(CHARSET).decode("ascii", "surrogateescape")
        )
        # The headers in Django's order and through Django's checks (no newlines; a non-ASCII value encoded).
        name, value = _subject(self.subject)
        Message.__setitem__(msg, name, value)
        msg["From"] = self.from_email
        if self.to:
            msg["To"] = ", ".join(str(v) for v in self.to)
        msg["Date"] = formatdate(localtime=settings.EMAIL_USE_LOCALTIME)
        msg["Message-ID"] = make_msgid(domain=DNS_NAME)
        return msg
