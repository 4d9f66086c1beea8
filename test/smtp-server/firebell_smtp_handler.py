"""Handler for Debian's aiosmtpd, run by the tests as a real SMTP server process.

python3 -m aiosmtpd -n -l 127.0.0.1:PORT -c firebell_smtp_handler.Recording DIR MODE

MODE: accept (store each message in DIR as N.eml), refuse (550 to every message),
slow-once (the first message waits 3 s before its 250, past the client's timeout; the rest are accepted), or
unknown-user (550 to every recipient, naming it, as Postfix does for a mailbox it does not have).
"""
import asyncio
import os


class Recording:
    def __init__(self, directory, mode):
        self.directory = directory
        self.mode = mode
        self.count = 0
        self.slowed = False

    @classmethod
    def from_cli(cls, parser, *args):
        if len(args) != 2 or args[1] not in ("accept", "refuse", "slow-once", "unknown-user"):
            parser.error("expected DIR and MODE (accept, refuse, slow-once or unknown-user)")
        return cls(args[0], args[1])

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.mode == "unknown-user":
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown in virtual mailbox table" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.mode == "refuse":
            return "550 5.7.1 Relaying denied for this test"
        if self.mode == "slow-once" and not self.slowed:
            self.slowed = True
            await asyncio.sleep(3)
        self.count += 1
        path = os.path.join(self.directory, "%04d.eml" % self.count)
        with open(path + ".tmp", "wb") as out:
            out.write(("X-Envelope-To: %s\r\n" % ",".join(envelope.rcpt_tos)).encode())
            out.write(envelope.original_content)
        os.rename(path + ".tmp", path)
        return "250 Message accepted for delivery"
