"""A real IMAP server for the mail tests: Debian's dovecot on a free loopback port, all of it in a temp dir.

``running_dovecot() -> Iterator[ImapAccount]`` writes a throw-away config and passwd file (one user,
plain-text login allowed on loopback only, Maildir beside them) into a temp dir of its own, starts
``dovecot -F`` and stops it and removes the dir on exit. As root the mail is kept by the ``dovecot`` system
user the package creates (so the dir is one it can reach: pytest's own are root's only); as another user
dovecot runs entirely as that user. ``DOVECOT`` is None when dovecot is not installed (the tests skip then).
"""

from __future__ import annotations

import getpass
import grp
import imaplib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.servers import free_port

DOVECOT = shutil.which("dovecot") or next(
    (path for path in ("/usr/sbin/dovecot",) if Path(path).exists()), None
)


@dataclass(frozen=True)
class ImapAccount:
    port: int
    user: str
    password: str

    @property
    def url(self) -> str:
        return f"imap://{self.user}:{self.password}@127.0.0.1:{self.port}/INBOX?tls=none"

    def connect(self) -> imaplib.IMAP4:
        imap = imaplib.IMAP4("127.0.0.1", self.port)
        imap.login(self.user, self.password)
        return imap


def _config(folder: Path, port: int) -> str:
    if os.geteuid() == 0:
        owner = "uid=dovecot gid=dovecot"
        users = ""
    else:  # every dovecot process as this user: no privileges needed
        me, group = getpass.getuser(), grp.getgrgid(os.getgid()).gr_name
        owner = f"uid={os.getuid()} gid={os.getgid()}"
        users = f"default_internal_user = {me}\ndefault_internal_group = {group}\ndefault_login_user = {me}\n"
    return f"""
base_dir = {folder}/run
state_dir = {folder}/state
log_path = {folder}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
first_valid_uid = 1
{users}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {folder}/passwd
}}
userdb {{
  driver = static
  args = {owner} home={folder}/home/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
  chroot =
}}
"""


@contextmanager
def running_dovecot(timeout_s: float = 20) -> Iterator[ImapAccount]:
    with tempfile.TemporaryDirectory(prefix="noticeflow-dovecot-") as name:
        folder = Path(name)
        folder.chmod(0o755)
        yield from _serve(folder, timeout_s)


def _serve(folder: Path, timeout_s: float) -> Iterator[ImapAccount]:
    assert DOVECOT is not None
    account = ImapAccount(port=free_port(), user="firm", password="app-password-1")
    (folder / "passwd").write_text(f"{account.user}:{{PLAIN}}{account.password}\n")
    (folder / "home").mkdir(exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(folder / "home", "dovecot", "dovecot")
    config = folder / "dovecot.conf"
    config.write_text(_config(folder, account.port))
    server = subprocess.Popen([DOVECOT, "-F", "-c", str(config)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.STDOUT)  # fmt: skip
    try:
        _wait_for_login(account, server, folder, timeout_s)
        yield account
    finally:
        server.terminate()
        server.wait(timeout=15)


def _wait_for_login(
    account: ImapAccount, server: subprocess.Popen[bytes], folder: Path, timeout_s: float
) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            log = folder / "dovecot.log"
            raise RuntimeError(f"dovecot exited: {log.read_text() if log.exists() else ''}")
        try:
            account.connect().logout()
            return
        except (OSError, imaplib.IMAP4.error):
            time.sleep(0.1)
    raise RuntimeError("dovecot did not answer in time")
