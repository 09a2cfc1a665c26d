"""Line credentials at rest: Fernet with a key list, so keys can be rotated without losing secrets."""

from cryptography.fernet import Fernet, MultiFernet


class SecretsBox:
    def __init__(self, keys: list[str]):
        # The first key encrypts; every key decrypts, so old secrets survive a rotation.
        self._fernet = MultiFernet([Fernet(k.strip().encode()) for k in keys if k.strip()])

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, token: str) -> str:
        return self._fernet.decrypt(token.encode()).decode()

    def rotate(self, token: str) -> str:
        """The same secret, encrypted again with the newest key (after a new key is put first)."""
        return self._fernet.rotate(token.encode()).decode()
