"""Personal values (phones) encrypted at rest, declared once per model attribute.

    class Worker(models.Model):
        mobile = PersonalField(_("手机号码"), lookup=True)
        emergency_phone = PersonalField(_("紧急联系人电话"), blank=True)

A `PersonalField` is not a column itself. It adds to the model

- `<name>_encrypted`: the ciphertext (`gigmarket.core.pii.encrypt`, under the writing key), "" when empty;
- `<name>_hash`, with `lookup=True`: the keyed hash (`gigmarket.core.pii.lookup_hash`) of the
  value, for exact lookups and unique constraints, "" when empty;

and is the attribute people use: reading `worker.mobile` decrypts (once per stored
ciphertext), assigning encrypts and hashes, and `Worker(mobile=...)`,
`objects.create(mobile=...)` work as with a column (Django passes constructor
arguments that name a `property` to it; this class is one). Querying by the plain
name fails (`FieldError`): exact lookups go through `hash_filter` (or the field's
`matches`), the one place that knows how a lookup hash is computed, so a change of
keys touches this module only.

A database dump therefore holds ciphertext and keyed hashes, never the number; pages
show `gigmarket.core.pii.mask_phone` of the decrypted value.
"""

from django.db import models
from django.db.models import Q

from .pii import decrypt, encrypt, lookup_hash, lookup_hashes

HASH_LENGTH = 64


def hash_value(value):
    """The stored lookup hash of a normalised value ("" for no value)."""
    return lookup_hash(value) if value else ""


def hash_filter(column, value):
    """Q matching rows whose hash `column` holds the hash of the normalised `value` under any
    accepted key and hash algorithm (during a key rotation, rows not yet re-keyed still match)."""
    if not value:
        return Q(**{column: ""})
    return Q(**{f"{column}__in": lookup_hashes(value)})


class PersonalField(property):
    """An encrypted-at-rest personal value with an optional keyed-hash lookup column."""

    def __init__(self, verbose_name, *, blank=False, lookup=False, db_index=False):
        # fget/fset for introspection (`QuerySet.get_or_create` accepts a property with a
        # setter); access goes through `__get__` / `__set__` below.
        super().__init__(self.__get__, self.__set__)
        self.verbose_name = verbose_name
        self.blank = blank
        self.lookup = lookup
        self.db_index = db_index

    def contribute_to_class(self, cls, name):
        self.name = name
        self.cipher_attname = f"{name}_encrypted"
        self.hash_attname = f"{name}_hash" if self.lookup else None
        self._cache = f"_personal_{name}"
        cls.add_to_class(
            self.cipher_attname,
            models.TextField(
                f"{self.verbose_name}(加密)",
                blank=self.blank,
                editable=False,
                error_messages={"blank": f"请填写{self.verbose_name}。"},
            ),
        )
        if self.lookup:
            cls.add_to_class(
                self.hash_attname,
                models.CharField(
                    f"{self.verbose_name}摘要",
                    max_length=HASH_LENGTH,
                    blank=True,
                    editable=False,
                    db_index=self.db_index,
                ),
            )
        setattr(cls, name, self)

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        token = getattr(instance, self.cipher_attname)
        if not token:
            return ""
        cached = instance.__dict__.get(self._cache)
        if cached is not None and cached[0] == token:
            return cached[1]
        value = decrypt(token)
        instance.__dict__[self._cache] = (token, value)
        return value

    def __set__(self, instance, value):
        value = "" if value is None else str(value)
        if value == self.__get__(instance):
            return  # unchanged: keep the stored ciphertext (Fernet tokens differ on every call)
        token = encrypt(value) if value else ""
        setattr(instance, self.cipher_attname, token)
        if self.lookup:
            setattr(instance, self.hash_attname, hash_value(value))
        instance.__dict__[self._cache] = (token, value)

    def __delete__(self, instance):
        raise AttributeError(f"{self.name} cannot be deleted")

    def matches(self, value):
        """Q for rows holding exactly the normalised `value`."""
        if not self.lookup:
            raise TypeError(f"{self.name} has no lookup hash")
        return hash_filter(self.hash_attname, value)

    @property
    def stored_fields(self):
        """The concrete columns behind this attribute (for `AUDIT_MASKED_FIELDS`, admin excludes)."""
        return (self.cipher_attname, self.hash_attname) if self.lookup else (self.cipher_attname,)
