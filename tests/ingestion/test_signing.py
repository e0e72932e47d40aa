"""Partner API signing, byte-exact against the string documented in tiktok-api.md."""

from __future__ import annotations

from jobs.sources.tiktok.signing import sign, string_to_sign, verify

PATH = "/order/202309/orders/search"
PARAMS = {"timestamp": "1000", "shop_cipher": "sc", "app_key": "ak", "sign": "x",
          "access_token": "tok"}


def test_string_to_sign_matches_documented_example() -> None:
    expected = b"SECRET/order/202309/orders/searchapp_keyakshop_ciphersctimestamp1000SECRET"
    assert string_to_sign("SECRET", PATH, PARAMS) == expected


def test_signature_is_lowercase_hex_hmac_of_the_example() -> None:
    # Computed independently: printf '%s' '<string>' | openssl dgst -sha256 -hmac SECRET
    expected = "30a46a4778ef3f2804ebfcf1a350a9e21f72f84c84c18670434658fbd6942c4b"
    assert sign("SECRET", PATH, PARAMS) == expected


def test_post_body_bytes_are_appended_exactly() -> None:
    body = b'{"a":1}'
    assert string_to_sign("SECRET", PATH, PARAMS, method="POST", body=body).endswith(
        b"timestamp1000" + body + b"SECRET"
    )
    expected = "3205784ca19b3d5b81fc85b3c9d9ca7d8f1a16363920aeed86b19394e01d956e"
    assert sign("SECRET", PATH, PARAMS, method="POST", body=body) == expected


def test_get_and_multipart_bodies_are_not_signed() -> None:
    plain = sign("SECRET", PATH, PARAMS)
    assert sign("SECRET", PATH, PARAMS, method="GET", body=b"{}") == plain
    assert sign("SECRET", PATH, PARAMS, method="POST", body=b"--x",
                content_type="multipart/form-data; boundary=x") == plain


def test_verify_rejects_a_changed_parameter() -> None:
    good = sign("SECRET", PATH, PARAMS)
    assert verify("SECRET", good, path=PATH, params=PARAMS)
    assert not verify("SECRET", good, path=PATH, params={**PARAMS, "timestamp": "1001"})
