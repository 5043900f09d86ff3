"""A real Dovecot IMAP server for tests: a throw-away configuration, a passwd-file user, Maildir++ in tmp.

Root (CI) runs Dovecot's login processes as ``dovenull`` and the mail as
``dovecot`` (Dovecot refuses mail access as uid 0); anyone else runs every
process as themselves, with their own base_dir and no chroot.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tests.sitekit import require_tool
from tests.smtpd import free_port

DOVECOT = "/usr/sbin/dovecot"
USER, PASSWORD = "newsletter@partners.example.org", "secret-17"

CONFIG = """\
base_dir = {run}
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
{ssl}
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{root}/Maildir
default_login_user = {login}
default_internal_user = {internal}
default_internal_group = {group}
first_valid_uid = 0
first_valid_gid = 0
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  chroot =
}}
"""


@dataclass
class Dovecot:
    root: Path
    port: int
    process: subprocess.Popen[bytes]
    uid: int
    gid: int
    imaps_port: int = 0

    @property
    def cert(self) -> Path:
        return self.root / "cert.pem"

    @property
    def maildir(self) -> Path:
        return self.root / "Maildir"

    def env(self) -> dict[str, str]:
        """The IMAP_* variables ``invoke inbox`` reads for this server."""
        return {
            "IMAP_HOST": "127.0.0.1",
            "IMAP_PORT": str(self.port),
            "IMAP_USER": USER,
            "IMAP_PASSWORD": PASSWORD,
            "IMAP_SECURITY": "none",
        }

    def give_back(self, path: Path) -> None:
        """Files a test wrote into the Maildir belong to the mail user again."""
        for folder, _dirs, files in os.walk(path):
            os.chown(folder, self.uid, self.gid)
            for name in files:
                os.chown(os.path.join(folder, name), self.uid, self.gid)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)


TLS = """ssl = yes
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem"""


def start_dovecot(tls: bool = False) -> Dovecot:
    """A server on a free port, its files in a new folder of the system's tmp.

    Not in pytest's tmp_path: that is private to the user running the tests (0700), and
    Dovecot's processes run as other users when started by root. The base_dir is short
    besides: its sockets' paths must fit in 108 bytes. With ``tls``, IMAPS and STARTTLS are
    offered with a certificate for 127.0.0.1 made for the purpose (``cert`` is the file a
    client must trust: SSL_CERT_FILE).
    """
    require_tool(shutil.which(DOVECOT) or os.path.exists(DOVECOT), "Dovecot (dovecot-imapd) is not installed")
    if os.getuid() == 0:
        login, internal = "dovenull", "dovecot"
        mail = pwd.getpwnam("dovecot")
        uid, gid, group = mail.pw_uid, mail.pw_gid, "dovecot"
    else:
        me = pwd.getpwuid(os.getuid())
        login = internal = me.pw_name
        uid, gid, group = me.pw_uid, me.pw_gid, _group_name(me.pw_gid)
    root = Path(tempfile.mkdtemp(prefix="dovecot-"))
    root.chmod(0o755)
    run = root / "run"
    for sub in ("state", "home", "Maildir"):
        (root / sub).mkdir()
        if os.getuid() == 0:
            os.chown(root / sub, uid, gid)
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n", encoding="utf-8")
    port, imaps_port = free_port(), free_port() if tls else 0
    if tls:
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
             "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(root / "key.pem"), "-out", str(root / "cert.pem")],
            check=True, capture_output=True,
        )  # fmt: skip
    ssl = TLS.format(root=root) if tls else "ssl = no"
    config = root / "dovecot.conf"
    config.write_text(
        CONFIG.format(root=root, run=run, login=login, internal=internal, group=group, uid=uid, gid=gid, port=port,
                      imaps_port=imaps_port, ssl=ssl),
        encoding="utf-8",
    )  # fmt: skip
    process = subprocess.Popen([DOVECOT, "-F", "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"dovecot exited: {process.stderr.read().decode() if process.stderr else ''}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as probe:
                if probe.recv(100).startswith(b"* OK"):
                    return Dovecot(root, port, process, uid, gid, imaps_port)
        except OSError:
            time.sleep(0.05)
    process.kill()
    log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
    shutil.rmtree(root, ignore_errors=True)
    raise RuntimeError(f"dovecot did not answer on port {port}: {log}")


def _group_name(gid: int) -> str:
    import grp

    return grp.getgrgid(gid).gr_name
