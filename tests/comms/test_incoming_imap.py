"""The e-mail intake address (#24), read over IMAP from a loopback server the test starts: each new message filed
into the incoming log once (by its Message-ID) with its attachments, and marked seen."""

from email.message import EmailMessage

import pytest

from clinicdesk.comms.incoming import mail_intake_fetch
from clinicdesk.comms.models import IncomingItem
from clinicdesk.core import periodic

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def mail(subject="Referral for Ana", message_id="<ref-1@valley.example>", attachment=PDF,
         filename="referral.pdf") -> bytes:
    message = EmailMessage()
    message["From"] = "Valley Cardiology <fax@valley.example>"
    message["To"] = "intake@clinic.example"
    message["Subject"] = subject
    message["Date"] = "Fri, 20 Nov 2026 09:30:00 -0500"
    if message_id:
        message["Message-ID"] = message_id
    message.set_content("Please see the attached referral.")
    if attachment is not None:
        maintype, subtype = ("application", "pdf") if filename.endswith(".pdf") else ("application", "octet-stream")
        message.add_attachment(attachment, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes()


def test_a_new_message_is_filed_with_its_attachment_and_marked_seen(imap_mailbox, location):
    uid = imap_mailbox.deliver(mail())
    assert mail_intake_fetch() == 1
    item = IncomingItem.objects.get()
    assert item.medium == "email" and item.state == "new" and item.location == location
    assert "Valley Cardiology" in item.sender and item.subject == "Referral for Ana"
    assert str(item.received_on) == "2026-11-20" and "attached referral" in item.note
    [file] = item.files.all()
    assert file.filename == "referral.pdf" and file.content_type == "application/pdf"
    assert imap_mailbox.seen() == [uid]
    assert any(c.startswith("UID STORE") for c in imap_mailbox.commands)


def test_reading_again_files_nothing_twice(imap_mailbox, location):
    imap_mailbox.deliver(mail())
    assert mail_intake_fetch() == 1
    assert mail_intake_fetch() == 0
    # the same message delivered again (a forward loop, a second copy) is still filed once
    imap_mailbox.deliver(mail())
    assert mail_intake_fetch() == 0
    assert IncomingItem.objects.count() == 1


def test_an_attachment_that_is_not_a_scan_is_not_kept_but_noted(imap_mailbox, location):
    imap_mailbox.deliver(mail(attachment=b"MZ\x90\x00", filename="run.exe", message_id="<x@y>"))
    assert mail_intake_fetch() == 1
    item = IncomingItem.objects.get()
    assert item.files.count() == 0 and "run.exe" in item.note


def test_a_message_without_message_id_is_filed_once_by_its_content(imap_mailbox, location):
    raw = mail(message_id="")
    imap_mailbox.deliver(raw)
    imap_mailbox.deliver(raw)
    assert mail_intake_fetch() == 1
    assert IncomingItem.objects.count() == 1


def test_wrong_credentials_file_nothing(imap_mailbox, location, settings):
    import imaplib

    settings.INCOMING_IMAP_PASSWORD = "wrong"
    imap_mailbox.deliver(mail())
    with pytest.raises(imaplib.IMAP4.error):
        mail_intake_fetch()
    assert not IncomingItem.objects.exists() and imap_mailbox.seen() == []


def test_without_an_intake_address_nothing_is_read(settings, location):
    settings.INCOMING_IMAP_HOST = ""
    assert mail_intake_fetch() == 0


def test_the_intake_is_a_periodic_job():
    assert "fetch-incoming-mail" in periodic.JOBS
