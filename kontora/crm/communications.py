"""Normalizing phones and emails so that "8 (916) 123-45-67" and "+79161234567" are the same number."""

import phonenumbers

from kontora.crm.choices import MultiFieldType

DEFAULT_REGION = "RU"


def normalize_phone(value: str, region: str = DEFAULT_REGION) -> str:
    """E.164 when the number parses; otherwise its digits, so that odd formats still match themselves."""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is not None and phonenumbers.is_possible_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return "".join(ch for ch in value if ch.isdigit())


def normalize(type_id: str, value: str) -> str:
    value = (value or "").strip()
    if type_id == MultiFieldType.PHONE:
        return normalize_phone(value)
    if type_id in (MultiFieldType.EMAIL, MultiFieldType.WEB):
        return value.lower()
    return value.lower()


def looks_like_phone(text: str) -> bool:
    digits = sum(ch.isdigit() for ch in text)
    return digits >= 5 and digits >= len(text.replace(" ", "")) * 0.6
