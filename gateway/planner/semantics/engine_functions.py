"""Allowlisted Trino functions that the embedded engine cannot run as Trino does, by name.

``LACKING``: the engine has no function of that name and no rewrite gives Trino's answer yet;
a call is refused with NOT_SUPPORTED naming it (not the engine's "does not exist").
``DIFFERENT``: the engine has a function of that name that answers differently (type or value).
tests/semantics/test_engine_functions.py checks both lists against the engine.
"""

from __future__ import annotations

LACKING: frozenset[str] = frozenset(
    [
        "all_match",
        "any_match",
        "approx_most_frequent",
        "array_histogram",
        "array_union",
        "arrays_overlap",
        "beta_cdf",
        "bitwise_left_shift",
        "bitwise_right_shift",
        "bitwise_right_shift_arithmetic",
        "checksum",
        "codepoint",
        "combinations",
        "contains_sequence",
        "cosine_similarity",
        "crc32",
        "every",
        "from_base64url",
        "from_big_endian_32",
        "from_big_endian_64",
        "from_ieee754_32",
        "from_ieee754_64",
        "from_unixtime_nanos",
        "hamming_distance",
        "hmac_md5",
        "hmac_sha1",
        "hmac_sha256",
        "hmac_sha512",
        "human_readable_seconds",
        "index",
        "inverse_beta_cdf",
        "inverse_normal_cdf",
        "is_json_scalar",
        "json_array_get",
        "json_size",
        "luhn_check",
        "map_filter",
        "map_zip_with",
        "multimap_agg",
        "multimap_from_entries",
        "murmur3",
        "ngrams",
        "none_match",
        "normal_cdf",
        "numeric_histogram",
        "parse_data_size",
        "parse_duration",
        "reduce_agg",
        "regexp_position",
        "split_to_multimap",
        "spooky_hash_v2_32",
        "spooky_hash_v2_64",
        "to_base64url",
        "to_big_endian_32",
        "to_big_endian_64",
        "to_ieee754_32",
        "to_ieee754_64",
        "to_iso8601",
        "transform_keys",
        "transform_values",
        "trim_array",
        "wilson_interval_lower",
        "wilson_interval_upper",
        "word_stem",
        "xxhash64",
        "yow",
        "zip",
        "zip_with",
    ]
)

#: the engine's namesake differs: millisecond counts the seconds too, to_milliseconds turns a
#: number into an interval
DIFFERENT: frozenset[str] = frozenset({"millisecond", "to_milliseconds"})
