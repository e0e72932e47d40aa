"""Token encryption at rest (Fernet, AES-128-CBC + HMAC) keyed from ``TIKPULSE_SECRET_KEY``.

Fernet tokens are randomised, so the same access token never looks the same twice in the database;
tampered or foreign ciphertext raises ``TokenDecryptError`` instead of returning garbage.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from config.logs import register_secret
from config.settings import BadSetting

_KDF_INFO = b"tikpulse token encryption v1"


class TokenDecryptError(RuntimeError):
    """Stored ciphertext could not be decrypted with the configured secret key."""


class TokenCipher:
    """Encrypts and decrypts API tokens with a key derived from the configured secret."""

    def __init__(self, secret_key: str) -> None:
        if len(secret_key) < 16:
            raise BadSetting("TIKPULSE_SECRET_KEY must be at least 16 characters long; make one "
                             "with: python3 -c 'import secrets; print(secrets.token_urlsafe(32))'")
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_KDF_INFO).derive(
            secret_key.encode()
        )
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))

    def encrypt(self, token: str) -> str:
        """Ciphertext (ASCII) for ``token`` (which no log line will show from now on)."""
        register_secret(token)
        return self._fernet.encrypt(token.encode()).decode("ascii")

    def decrypt(self, ciphertext: str) -> str:
        """The token behind ``ciphertext``; raises ``TokenDecryptError`` if the key is wrong."""
        try:
            token = self._fernet.decrypt(ciphertext.encode("ascii")).decode()
        except InvalidToken as exc:
            raise TokenDecryptError(
                "a stored token could not be decrypted: TIKPULSE_SECRET_KEY differs from the key "
                "it was stored with; restore the old key or re-authorize the shop"
            ) from exc
        register_secret(token)
        return token

    def __repr__(self) -> str:  # never show key material
        return "TokenCipher(<secret>)"
