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

# -- classes: what sqlglot recognised --------------------------------------------------------

_CONDITIONAL: frozenset[type[exp.Func]] = frozenset(
    {
        exp.And,
        exp.Or,
        exp.Xor,
        exp.Case,
        exp.If,
        exp.Coalesce,
        exp.Nullif,
        exp.Greatest,
        exp.Least,
        exp.Try,
        exp.Exists,  # EXISTS (subquery): the subquery is checked like any other
    }
)

_CAST: frozenset[type[exp.Func]] = frozenset({exp.Cast, exp.TryCast})

_MATH: frozenset[type[exp.Func]] = frozenset(
    {
        exp.Abs,
        exp.Acos,
        exp.Acosh,
        exp.Asin,
        exp.Asinh,
        exp.Atan,
        exp.Atan2,
        exp.Atanh,
        exp.Cbrt,
        exp.Ceil,
        exp.Cos,
        exp.Cosh,
        exp.CosineDistance,
        exp.Cot,
        exp.Degrees,
        exp.Exp,
        exp.Factorial,
        exp.Floor,
        exp.IsInf,
        exp.IsNan,
        exp.Ln,
        exp.Log,
        exp.Pi,
        exp.Pow,
        exp.Radians,
        exp.Rand,
        exp.Round,
        exp.Sign,
        exp.Sin,
        exp.Sinh,
        exp.Sqrt,
        exp.Tan,
        exp.Tanh,
        exp.Trunc,
        exp.WidthBucket,
    }
)

_STRING: frozenset[type[exp.Func]] = frozenset(
    {
        exp.Ascii,
        exp.BitLength,
        exp.Chr,
        exp.Concat,
        exp.ConcatWs,
        exp.Contains,
        exp.EndsWith,
        exp.Format,
        exp.Left,
        exp.Length,
        exp.Levenshtein,
        exp.Lower,
        exp.Normalize,
        exp.Pad,
        exp.Repeat,
        exp.Replace,
        exp.Reverse,
        exp.Right,
        exp.Soundex,
        exp.Split,
        exp.SplitPart,
        exp.StartsWith,
        exp.StrPosition,
        exp.StrToMap,
        exp.Substring,
        exp.Translate,
        exp.Trim,
        exp.Unicode,
        exp.Upper,
    }
)

_ENCODING_AND_HASHING: frozenset[type[exp.Func]] = frozenset(
    {
        exp.Decode,  # from_utf8
        exp.Encode,  # to_utf8
        exp.FromBase,
        exp.FromBase32,
        exp.FromBase64,
        exp.Hex,
        exp.LowerHex,
        exp.ToBase32,
        exp.ToBase64,
        exp.Unhex,
        exp.MD5,
        exp.MD5Digest,
        exp.SHA,
        exp.SHA2,
        exp.SHA1Digest,
        exp.SHA2Digest,
    }
)

_REGEXP: frozenset[type[exp.Func]] = frozenset(
    {
        exp.RegexpCount,
        exp.RegexpExtract,
        exp.RegexpExtractAll,
        exp.RegexpFullMatch,
        exp.RegexpILike,
        exp.RegexpLike,
        exp.RegexpReplace,
        exp.RegexpSplit,
    }
)

_DATE_TIME: frozenset[type[exp.Func]] = frozenset(
    {
        exp.CurrentDate,
        exp.CurrentTime,
        exp.CurrentTimestamp,
        exp.CurrentTimezone,
        exp.Localtime,
        exp.Localtimestamp,
        exp.Date,
        exp.DateAdd,
        exp.DateDiff,
        exp.DateFromParts,
        exp.DateStrToDate,
        exp.DateSub,
        exp.DateToDateStr,
        exp.DateTrunc,
        exp.Day,
        exp.DayOfMonth,
        exp.DayOfWeek,
        exp.DayOfWeekIso,
        exp.DayOfYear,
        exp.Dayname,
        exp.Extract,
        exp.FromISO8601Date,
        exp.FromISO8601Timestamp,
        exp.FromISO8601TimestampNanos,
        exp.Hour,
        exp.LastDay,
        exp.MakeInterval,
        exp.Minute,
        exp.Month,
        exp.Monthname,
        exp.ParseDatetime,
        exp.Quarter,
        exp.Second,
        exp.StrToDate,
        exp.StrToTime,
        exp.TimeAdd,
        exp.TimeStrToDate,
        exp.TimeStrToTime,
        exp.TimeSub,
        exp.TimeToStr,
        exp.TimeToTimeStr,
        exp.TimeToUnix,
        exp.TimestampAdd,
        exp.TimestampDiff,
        exp.TimestampFromParts,
        exp.TimestampSub,
        exp.TimestampTrunc,
        exp.TsOrDsAdd,
        exp.TsOrDsDiff,
        exp.TsOrDsToDate,
        exp.UnixToTime,
        exp.Week,
        exp.WeekOfYear,
        exp.Year,
        exp.YearOfWeek,
        exp.YearOfWeekIso,
    }
)

_AGGREGATE: frozenset[type[exp.Func]] = frozenset(
    {
        exp.AnyValue,
        exp.ApproxDistinct,
        exp.ApproxQuantile,
        exp.ArgMax,
        exp.ArgMin,
        exp.ArrayAgg,
        exp.Avg,
        exp.BitwiseAndAgg,
        exp.BitwiseOrAgg,
        exp.BitwiseXorAgg,
        exp.Corr,
        exp.Count,
        exp.CountIf,
        exp.CovarPop,
        exp.CovarSamp,
        exp.GroupConcat,
        exp.Grouping,
        exp.Kurtosis,
        exp.LogicalAnd,
        exp.LogicalOr,
        exp.Max,
        exp.Median,
        exp.Min,
        exp.Mode,
        exp.PercentileCont,
        exp.PercentileDisc,
        exp.RegrAvgx,
        exp.RegrAvgy,
        exp.RegrCount,
        exp.RegrIntercept,
        exp.RegrR2,
        exp.RegrSlope,
        exp.RegrSxx,
        exp.RegrSxy,
        exp.RegrSyy,
        exp.Skewness,
        exp.Stddev,
        exp.StddevPop,
        exp.StddevSamp,
        exp.Sum,
        exp.Variance,
        exp.VariancePop,
    }
)

_WINDOW: frozenset[type[exp.Func]] = frozenset(
    {
        exp.CumeDist,
        exp.DenseRank,
        exp.FirstValue,
        exp.Lag,
        exp.LastValue,
        exp.Lead,
        exp.NthValue,
        exp.Ntile,
        exp.PercentRank,
        exp.Rank,
        exp.RowNumber,
    }
)

_ARRAY: frozenset[type[exp.Func]] = frozenset(
    {
        exp.Array,
        exp.ArrayAll,
        exp.ArrayAny,
        exp.ArrayAppend,
        exp.ArrayConcat,
        exp.ArrayContains,
        exp.ArrayDistinct,
        exp.ArrayExcept,
        exp.ArrayFilter,
        exp.ArrayFirst,
        exp.ArrayIntersect,
        exp.ArrayLast,
        exp.ArrayMax,
        exp.ArrayMin,
        exp.ArrayOverlaps,
        exp.ArrayPosition,
        exp.ArrayPrepend,
        exp.ArrayRemove,
        exp.ArrayReverse,
        exp.ArraySize,
        exp.ArraySlice,
        exp.ArraySort,
        exp.ArraySum,
        exp.ArraysZip,
        exp.ArrayToString,
        exp.Flatten,
        exp.GenerateSeries,  # Trino's scalar sequence(); FROM generate_series(...) is refused
        exp.Reduce,
        exp.Shuffle,
        exp.Transform,
        exp.Unnest,  # CROSS JOIN UNNEST(array)
    }
)

_MAP_AND_ROW: frozenset[type[exp.Func]] = frozenset(
    {
        exp.Map,
        exp.MapFromEntries,
        exp.MapKeys,
        exp.VarMap,
        exp.Struct,
        exp.StructExtract,
    }
)

_JSON: frozenset[type[exp.Func]] = frozenset(
    {
        exp.JSONArray,
        exp.JSONArrayContains,
        exp.JSONExtract,
        exp.JSONExtractScalar,
        exp.JSONFormat,
        exp.JSONObject,
        exp.ParseJSON,
    }
)

_OTHER: frozenset[type[exp.Func]] = frozenset(
    {
        exp.CurrentUser,  # bound to the Lakegate user by the bind_session pass
        exp.Typeof,
        exp.Uuid,
    }
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

_STRING_NAMES = frozenset(
    {
        "codepoint",
        "concat",
        "concat_ws",
        "ends_with",
        "format",
        "hamming_distance",
        "index",
        "length",
        "levenshtein_distance",
        "lower",
        "lpad",
        "ltrim",
        "luhn_check",
        "normalize",
        "position",
        "replace",
        "reverse",
        "rpad",
        "rtrim",
        "soundex",
        "split",
        "split_part",
        "split_to_multimap",
        "starts_with",
        "strpos",
        "substr",
        "substring",
        "translate",
        "trim",
        "upper",
        "word_stem",
    }
)

_MATH_NAMES = frozenset(
    {
        "abs",
        "acos",
        "asin",
        "atan",
        "atan2",
        "beta_cdf",
        "cbrt",
        "ceil",
        "ceiling",
        "cos",
        "cosh",
        "cosine_distance",
        "cosine_similarity",
        "degrees",
        "e",
        "exp",
        "floor",
        "from_base",
        "infinity",
        "inverse_beta_cdf",
        "inverse_normal_cdf",
        "is_finite",
        "is_infinite",
        "is_nan",
        "ln",
        "log",
        "log10",
        "log2",
        "mod",
        "nan",
        "normal_cdf",
        "pi",
        "pow",
        "power",
        "radians",
        "rand",
        "random",
        "round",
        "sign",
        "sin",
        "sinh",
        "sqrt",
        "tan",
        "tanh",
        "to_base",
        "truncate",
        "width_bucket",
        "wilson_interval_lower",
        "wilson_interval_upper",
    }
)

_BITWISE_NAMES = frozenset(
    {
        "bit_count",
        "bitwise_and",
        "bitwise_left_shift",
        "bitwise_not",
        "bitwise_or",
        "bitwise_right_shift",
        "bitwise_right_shift_arithmetic",
        "bitwise_xor",
    }
)

_BINARY_AND_HASH_NAMES = frozenset(
    {
        "crc32",
        "from_base32",
        "from_base64",
        "from_base64url",
        "from_big_endian_32",
        "from_big_endian_64",
        "from_hex",
        "from_ieee754_32",
        "from_ieee754_64",
        "from_utf8",
        "hmac_md5",
        "hmac_sha1",
        "hmac_sha256",
        "hmac_sha512",
        "md5",
        "murmur3",
        "sha1",
        "sha256",
        "sha512",
        "spooky_hash_v2_32",
        "spooky_hash_v2_64",
        "to_base32",
        "to_base64",
        "to_base64url",
        "to_big_endian_32",
        "to_big_endian_64",
        "to_hex",
        "to_ieee754_32",
        "to_ieee754_64",
        "to_utf8",
        "xxhash64",
    }
)

_DATE_TIME_NAMES = frozenset(
    {
        "at_timezone",
        "current_timezone",
        "date",
        "date_add",
        "date_diff",
        "date_format",
        "date_parse",
        "date_trunc",
        "day",
        "day_of_month",
        "day_of_week",
        "day_of_year",
        "dow",
        "doy",
        "format_datetime",
        "from_iso8601_date",
        "from_iso8601_timestamp",
        "from_iso8601_timestamp_nanos",
        "from_unixtime",
        "from_unixtime_nanos",
        "hour",
        "human_readable_seconds",
        "last_day_of_month",
        "millisecond",
        "minute",
        "month",
        "now",
        "parse_data_size",
        "parse_datetime",
        "parse_duration",
        "quarter",
        "second",
        "timezone_hour",
        "timezone_minute",
        "to_iso8601",
        "to_milliseconds",
        "to_unixtime",
        "week",
        "week_of_year",
        "with_timezone",
        "year",
        "year_of_week",
        "yow",
    }
)

_REGEXP_NAMES = frozenset(
    {
        "regexp_count",
        "regexp_extract",
        "regexp_extract_all",
        "regexp_like",
        "regexp_position",
        "regexp_replace",
        "regexp_split",
    }
)

_URL_NAMES = frozenset(
    {
        # defined on the embedded engine by connectors/duckdb/trino_functions.py
        "url_decode",
        "url_encode",
        "url_extract_fragment",
        "url_extract_host",
        "url_extract_parameter",
        "url_extract_path",
        "url_extract_port",
        "url_extract_protocol",
        "url_extract_query",
    }
)

_CONDITIONAL_NAMES = frozenset({"coalesce", "greatest", "if", "least", "nullif", "try"})

_AGGREGATE_NAMES = frozenset(
    {
        "any_value",
        "approx_distinct",
        "approx_most_frequent",
        "approx_percentile",
        "arbitrary",
        "array_agg",
        "avg",
        "bitwise_and_agg",
        "bitwise_or_agg",
        "bool_and",
        "bool_or",
        "checksum",
        "corr",
        "count",
        "count_if",
        "covar_pop",
        "covar_samp",
        "every",
        "geometric_mean",
        "kurtosis",
        "listagg",
        "map_agg",
        "max",
        "max_by",
        "min",
        "min_by",
        "multimap_agg",
        "numeric_histogram",
        "reduce_agg",
        "regr_intercept",
        "regr_slope",
        "skewness",
        "stddev",
        "stddev_pop",
        "stddev_samp",
        "sum",
        "var_pop",
        "var_samp",
        "variance",
    }
)

_WINDOW_NAMES = frozenset(
    {
        "cume_dist",
        "dense_rank",
        "first_value",
        "lag",
        "last_value",
        "lead",
        "nth_value",
        "ntile",
        "percent_rank",
        "rank",
        "row_number",
    }
)

_ARRAY_NAMES = frozenset(
    {
        "all_match",
        "any_match",
        "array_distinct",
        "array_except",
        "array_first",
        "array_histogram",
        "array_intersect",
        "array_join",
        "array_last",
        "array_max",
        "array_min",
        "array_position",
        "array_remove",
        "array_sort",
        "array_union",
        "arrays_overlap",
        "cardinality",
        "combinations",
        "contains",
        "contains_sequence",
        "element_at",
        "filter",
        "flatten",
        "ngrams",
        "none_match",
        "reduce",
        "shuffle",
        "slice",
        "transform",
        "trim_array",
        "zip",
        "zip_with",
    }
)

_MAP_AND_ROW_NAMES = frozenset(
    {
        "map",
        "map_concat",
        "map_entries",
        "map_filter",
        "map_from_entries",
        "map_keys",
        "map_values",
        "map_zip_with",
        "multimap_from_entries",
        "row",
        "split_to_map",
        "transform_keys",
        "transform_values",
    }
)

_JSON_NAMES = frozenset(
    {
        "is_json_scalar",
        "json_array",
        "json_array_contains",
        "json_array_get",
        "json_array_length",
        "json_exists",
        "json_extract",
        "json_extract_scalar",
        "json_format",
        "json_object",
        "json_parse",
        "json_size",
    }
)

_OTHER_NAMES = frozenset({"typeof", "uuid"})

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
