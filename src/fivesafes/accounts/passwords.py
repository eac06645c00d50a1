"""Password hashing (argon2id) and the password policy.

Nothing here logs, prints, or puts a password or a hash into a message or an audit entry.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from fivesafes.errors import WeakPassword

MIN_LENGTH = 12

# argon2-cffi's defaults: RFC 9106's second recommended profile (argon2id, t=3, m=64 MiB, p=4).
# Tests swap in a cheaper hasher of the same algorithm; a hash made with other parameters is
# upgraded at the next successful login (``needs_rehash``).
HASHER = PasswordHasher()


def check_policy(password: str, *, username: str) -> None:
    """Refuse a weak password, saying why (never echoing it)."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(
            f"the password is too short: it needs at least {MIN_LENGTH} characters "
            f"(a few unrelated words make a good one)"
        )
    if password.strip() != password:
        raise WeakPassword("the password starts or ends with white space; remove it")
    if len(set(password)) < 5:
        raise WeakPassword("the password repeats too few different characters")
    if len(username) >= 3 and username.lower() in password.lower():
        raise WeakPassword("the password contains the username")


def hash_password(password: str, *, username: str) -> str:
    """The argon2id hash of an acceptable password."""
    check_policy(password, username=username)
    return HASHER.hash(password)


def verify(stored_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``stored_hash`` (False for a malformed hash too)."""
    try:
        return HASHER.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return HASHER.check_needs_rehash(stored_hash)
