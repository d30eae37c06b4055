from gigmarket import pii


def test_lookup_hash_is_deterministic_and_keyed(settings):
    first = pii.lookup_hash("52010219900307123X")
    assert first == pii.lookup_hash("52010219900307123X")
    assert "52010219900307123X" not in first
    settings.PII_KEY = "another-key"
    assert pii.lookup_hash("52010219900307123X") != first


def test_encrypt_round_trip_without_plaintext():
    token = pii.encrypt("52010219900307123X")
    assert "52010219900307123X" not in token
    assert pii.decrypt(token) == "52010219900307123X"


def test_masks():
    assert pii.mask_id_number("52010219900307123X") == "5201**********123X"
    assert pii.mask_phone("13812345678") == "138****5678"
    assert pii.mask_phone("") == ""
