"""``tikpulse chats encrypt-key``: a WeCom robot's webhook key, encrypted for the tenants file.

The key is read from a hidden prompt (or stdin), never from the command line (shell history), and
printed only encrypted with ``TIKPULSE_SECRET_KEY`` (the token cipher of the warehouse):

    $ tikpulse chats encrypt-key
    WeCom robot key (or its whole webhook URL):
    enc:gAAAAAB...        # paste as  chats: wecom: - name: ops  key: enc:gAAAAAB...
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import click

from config.chat_bindings import ENCRYPTED_KEY_PREFIX
from config.settings import Settings
from jobs.warehouse.crypto import TokenCipher


@click.group()
def chats() -> None:
    """Secrets of the chat bindings in the tenants file."""


@chats.command("encrypt-key")
@click.pass_obj
def encrypt_key(settings: Settings) -> None:
    """Encrypt a WeCom group robot's webhook key for ``chats: wecom: key:``."""
    cipher = TokenCipher(settings.secret("tikpulse_secret_key"))
    given = click.prompt("WeCom robot key (or its whole webhook URL)", hide_input=True).strip()
    key = robot_key(given)
    if not key:
        raise click.ClickException("no key given: paste the key=... part of the robot's webhook "
                                   "URL (group settings -> Group robots -> the robot)")
    click.echo(ENCRYPTED_KEY_PREFIX + cipher.encrypt(key))


def robot_key(given: str) -> str:
    """The key of a robot from the key itself or its webhook URL (``...send?key=KEY``)."""
    if given.startswith(("http://", "https://")):
        return (parse_qs(urlsplit(given).query).get("key") or [""])[0].strip()
    return given
