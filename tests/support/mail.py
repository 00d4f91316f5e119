"""A file email backend that takes its time, so a test can kill a worker in the middle of sending."""

import os
import time

from django.core.mail.backends.filebased import EmailBackend


class SlowFileBackend(EmailBackend):
    def send_messages(self, email_messages):
        time.sleep(float(os.environ.get("KONTORA_TEST_MAIL_DELAY", "0")))
        return super().send_messages(email_messages)
