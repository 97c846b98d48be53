"""The functions a user's SQL may call: a closed list, named by what the functions mean.

sqlglot parses a function it knows into a typed class (``exp.Sum``, ``exp.Lower``, ``exp.Cast``)
whatever the dialect's spelling, and one it does not know into ``exp.Anonymous`` carrying the
written name. So a call is allowed when its class is in ``ALLOWED_CLASSES`` (each reviewed: it
means the same in Trino and in the engine and is pure, with no file, network, setting, catalog,
plan or engine introspection, sleeping or logging), or when it is an ``exp.Anonymous`` whose
name, folded to lower case, is in ``ALLOWED_NAMES`` (Trino functions by their Trino names, each
checked against the embedded DuckDB: where it has a function of that name, that function is a
pure scalar or aggregate, never a table function; tests/security/test_functions.py holds the
check). Anything else, including every engine function nobody reviewed, is refused.

Policies' masks and row filters call functions too; they are added after the check and trusted.
"""

from __future__ import annotations

from sqlglot import exp

# -- classes: what sqlglot recognised, by class name --------------------------------------------


def _classes(names: str) -> frozenset[type[exp.Func]]:
    """The sqlglot function classes named (an import error if sqlglot renames one)."""
    found: set[type[exp.Func]] = set()
    for name in names.split():
        kind = getattr(exp, name)
        if not (isinstance(kind, type) and issubclass(kind, exp.Func)):
            raise TypeError(f"{name} is not a sqlglot function class")
        found.add(kind)
    return frozenset(found)


def _names(names: str) -> frozenset[str]:
    return frozenset(names.split())


# EXISTS (subquery) is a function class too: the subquery is checked like any other
_CONDITIONAL = _classes(
    """
    And Case Coalesce Exists Greatest If Least Nullif Or Try Xor
    """
)
_CAST = _classes(
    """
    Cast TryCast
    """
)
_MATH = _classes(
    """
    Abs Acos Acosh Asin Asinh Atan Atan2 Atanh Cbrt Ceil Cos Cosh CosineDistance Cot Degrees Exp
    Factorial Floor IsInf IsNan Ln Log Pi Pow Radians Rand Round Sign Sin Sinh Sqrt Tan Tanh Trunc
    WidthBucket
    """
)
_STRING = _classes(
    """
    Ascii BitLength Chr Concat ConcatWs Contains EndsWith Format Left Length Levenshtein Lower
    Normalize Pad Repeat Replace Reverse Right Soundex Split SplitPart StartsWith StrPosition
    StrToMap Substring Translate Trim Unicode Upper
    """
)
_ENCODING_AND_HASHING = _classes(
    """
    Decode Encode FromBase FromBase32 FromBase64 Hex LowerHex MD5 MD5Digest SHA SHA1Digest SHA2
    SHA2Digest ToBase32 ToBase64 Unhex
    """
)
_REGEXP = _classes(
    """
    RegexpCount RegexpExtract RegexpExtractAll RegexpFullMatch RegexpILike RegexpLike RegexpReplace
    RegexpSplit
    """
)
_DATE_TIME = _classes(
    """
    CurrentDate CurrentTime CurrentTimestamp CurrentTimezone Date DateAdd DateDiff DateFromParts
    DateStrToDate DateSub DateToDateStr DateTrunc Day DayOfMonth DayOfWeek DayOfWeekIso DayOfYear
    Dayname Extract FromISO8601Date FromISO8601Timestamp FromISO8601TimestampNanos Hour LastDay
    Localtime Localtimestamp MakeInterval Minute Month Monthname ParseDatetime Quarter Second
    StrToDate StrToTime TimeAdd TimeStrToDate TimeStrToTime TimeSub TimeToStr TimeToTimeStr
    TimeToUnix TimestampAdd TimestampDiff TimestampFromParts TimestampSub TimestampTrunc TsOrDsAdd
    TsOrDsDiff TsOrDsToDate UnixToTime Week WeekOfYear Year YearOfWeek YearOfWeekIso
    """
)
_AGGREGATE = _classes(
    """
    AnyValue ApproxDistinct ApproxQuantile ArgMax ArgMin ArrayAgg Avg BitwiseAndAgg BitwiseOrAgg
    BitwiseXorAgg Corr Count CountIf CovarPop CovarSamp GroupConcat Grouping Kurtosis LogicalAnd
    LogicalOr Max Median Min Mode PercentileCont PercentileDisc RegrAvgx RegrAvgy RegrCount
    RegrIntercept RegrR2 RegrSlope RegrSxx RegrSxy RegrSyy Skewness Stddev StddevPop StddevSamp Sum
    Variance VariancePop
    """
)
_WINDOW = _classes(
    """
    CumeDist DenseRank FirstValue Lag LastValue Lead NthValue Ntile PercentRank Rank RowNumber
    """
)
# GenerateSeries is Trino's scalar sequence(); FROM generate_series(...) is refused apart.
# Unnest: CROSS JOIN UNNEST(array)
_ARRAY = _classes(
    """
    Array ArrayAll ArrayAny ArrayAppend ArrayConcat ArrayContains ArrayDistinct ArrayExcept
    ArrayFilter ArrayFirst ArrayIntersect ArrayLast ArrayMax ArrayMin ArrayOverlaps ArrayPosition
    ArrayPrepend ArrayRemove ArrayReverse ArraySize ArraySlice ArraySort ArraySum ArrayToString
    ArraysZip Flatten GenerateSeries Reduce Shuffle Transform Unnest
    """
)
_MAP_AND_ROW = _classes(
    """
    Map MapFromEntries MapKeys Struct StructExtract VarMap
    """
)
_JSON = _classes(
    """
    JSONArray JSONArrayContains JSONExtract JSONExtractScalar JSONFormat JSONObject ParseJSON
    """
)
# CurrentUser is bound to the Lakegate user by the bind_session pass
_OTHER = _classes(
    """
    CurrentUser Typeof Uuid
    """
)

ALLOWED_CLASSES: frozenset[type[exp.Func]] = (
    _CONDITIONAL
    | _CAST
    | _MATH
    | _STRING
    | _ENCODING_AND_HASHING
    | _REGEXP
    | _DATE_TIME
    | _AGGREGATE
    | _WINDOW
    | _ARRAY
    | _MAP_AND_ROW
    | _JSON
    | _OTHER
)

# -- names: what sqlglot left as exp.Anonymous (Trino's names) --------------------------------
# Trino functions the embedded DuckDB lacks fail there as unknown (they run on a Trino engine).
# Same name, other meaning in DuckDB (pure, so allowed; the answers differ from Trino's):
# millisecond (DuckDB counts the seconds too), to_milliseconds (DuckDB: number -> interval),
# format (DuckDB's fmt syntax), md5/sha1/sha256/to_hex/from_base64 (VARCHAR or BLOB, not
# varbinary), arbitrary (DuckDB's first), and quoted names sqlglot would otherwise translate
# ("date_add"(...), "log"(b, x)) reach DuckDB's functions of that name with their own arguments.

_STRING_NAMES = _names(
    """
    codepoint concat concat_ws ends_with format hamming_distance index length levenshtein_distance
    lower lpad ltrim luhn_check normalize position replace reverse rpad rtrim soundex split
    split_part split_to_multimap starts_with strpos substr substring translate trim upper word_stem
    """
)
_MATH_NAMES = _names(
    """
    abs acos asin atan atan2 beta_cdf cbrt ceil ceiling cos cosh cosine_distance cosine_similarity
    degrees e exp floor from_base infinity inverse_beta_cdf inverse_normal_cdf is_finite is_infinite
    is_nan ln log log10 log2 mod nan normal_cdf pi pow power radians rand random round sign sin sinh
    sqrt tan tanh to_base truncate width_bucket wilson_interval_lower wilson_interval_upper
    """
)
_BITWISE_NAMES = _names(
    """
    bit_count bitwise_and bitwise_left_shift bitwise_not bitwise_or bitwise_right_shift
    bitwise_right_shift_arithmetic bitwise_xor
    """
)
_BINARY_AND_HASH_NAMES = _names(
    """
    crc32 from_base32 from_base64 from_base64url from_big_endian_32 from_big_endian_64 from_hex
    from_ieee754_32 from_ieee754_64 from_utf8 hmac_md5 hmac_sha1 hmac_sha256 hmac_sha512 md5 murmur3
    sha1 sha256 sha512 spooky_hash_v2_32 spooky_hash_v2_64 to_base32 to_base64 to_base64url
    to_big_endian_32 to_big_endian_64 to_hex to_ieee754_32 to_ieee754_64 to_utf8 xxhash64
    """
)
_DATE_TIME_NAMES = _names(
    """
    at_timezone current_timezone date date_add date_diff date_format date_parse date_trunc day
    day_of_month day_of_week day_of_year dow doy format_datetime from_iso8601_date
    from_iso8601_timestamp from_iso8601_timestamp_nanos from_unixtime from_unixtime_nanos hour
    human_readable_seconds last_day_of_month millisecond minute month now parse_data_size
    parse_datetime parse_duration quarter second timezone_hour timezone_minute to_iso8601
    to_milliseconds to_unixtime week week_of_year with_timezone year year_of_week yow
    """
)
_REGEXP_NAMES = _names(
    """
    regexp_count regexp_extract regexp_extract_all regexp_like regexp_position regexp_replace
    regexp_split
    """
)
# defined on the embedded engine by connectors/duckdb/trino_functions.py
_URL_NAMES = _names(
    """
    url_decode url_encode url_extract_fragment url_extract_host url_extract_parameter
    url_extract_path url_extract_port url_extract_protocol url_extract_query
    """
)
_CONDITIONAL_NAMES = _names(
    """
    coalesce greatest if least nullif try
    """
)
_AGGREGATE_NAMES = _names(
    """
    any_value approx_distinct approx_most_frequent approx_percentile arbitrary array_agg avg
    bitwise_and_agg bitwise_or_agg bool_and bool_or checksum corr count count_if covar_pop
    covar_samp every geometric_mean kurtosis listagg map_agg max max_by min min_by multimap_agg
    numeric_histogram reduce_agg regr_intercept regr_slope skewness stddev stddev_pop stddev_samp
    sum var_pop var_samp variance
    """
)
_WINDOW_NAMES = _names(
    """
    cume_dist dense_rank first_value lag last_value lead nth_value ntile percent_rank rank
    row_number
    """
)
_ARRAY_NAMES = _names(
    """
    all_match any_match array_distinct array_except array_first array_histogram array_intersect
    array_join array_last array_max array_min array_position array_remove array_sort array_union
    arrays_overlap cardinality combinations contains contains_sequence element_at filter flatten
    ngrams none_match reduce shuffle slice transform trim_array zip zip_with
    """
)
_MAP_AND_ROW_NAMES = _names(
    """
    map map_concat map_entries map_filter map_from_entries map_keys map_values map_zip_with
    multimap_from_entries row split_to_map transform_keys transform_values
    """
)
_JSON_NAMES = _names(
    """
    is_json_scalar json_array json_array_contains json_array_get json_array_length json_exists
    json_extract json_extract_scalar json_format json_object json_parse json_size
    """
)
_OTHER_NAMES = _names(
    """
    typeof uuid
    """
)

ALLOWED_NAMES: frozenset[str] = (
    _STRING_NAMES
    | _MATH_NAMES
    | _BITWISE_NAMES
    | _BINARY_AND_HASH_NAMES
    | _DATE_TIME_NAMES
    | _REGEXP_NAMES
    | _URL_NAMES
    | _CONDITIONAL_NAMES
    | _AGGREGATE_NAMES
    | _WINDOW_NAMES
    | _ARRAY_NAMES
    | _MAP_AND_ROW_NAMES
    | _JSON_NAMES
    | _OTHER_NAMES
)

# what a dialect may write for a function it spells as an expression (not the function's name)
_SYNTAX_NAMES = frozenset({"case", "cast", "try_cast"})


def function_name(node: exp.Func, dialect: str = "trino") -> str:
    """The name to show for a call: as written for an unknown function, else as ``dialect`` spells it."""
    if isinstance(node, exp.Anonymous):
        return str(node.name).lower()
    try:
        written = node.sql(dialect=dialect)
    except Exception:  # a malformed call (sqlglot builds some with missing arguments): only the message
        written = ""
    name = written.split("(", 1)[0].strip().lower()
    if not name.replace("_", "").isalnum() or name in _SYNTAX_NAMES:
        return node.sql_name().lower()
    return name


def is_allowed(node: exp.Func) -> bool:
    kind = type(node)
    if kind is exp.Anonymous:
        return isinstance(node.this, str | exp.Identifier) and node.name.lower() in ALLOWED_NAMES
    return kind in ALLOWED_CLASSES


#: allowed names that are aggregate and window functions (for SHOW FUNCTIONS)
AGGREGATE_NAMES: frozenset[str] = _AGGREGATE_NAMES
WINDOW_NAMES: frozenset[str] = _WINDOW_NAMES - _AGGREGATE_NAMES
