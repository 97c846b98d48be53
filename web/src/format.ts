// Cell values from Arrow vectors as text, exactly: decimals with their scale (never through a
// float), dates and timestamps in ISO form, 64-bit integers in full.
import { DataType, type Field, TimeUnit } from "apache-arrow";

export type Formatter = (value: unknown) => string;

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

export function decimalText(value: unknown, scale: number): string {
  const digits = String(value).replace(/"/g, "");
  if (scale <= 0) return digits;
  const negative = digits.startsWith("-");
  const bare = (negative ? digits.slice(1) : digits).padStart(scale + 1, "0");
  return `${negative ? "-" : ""}${bare.slice(0, -scale)}.${bare.slice(-scale)}`;
}

function timestampText(ms: number, unit: TimeUnit, zoned: boolean): string {
  const whole = Math.floor(ms);
  const iso = new Date(whole).toISOString().replace("T", " ").replace("Z", "");
  let text = iso;
  if (unit === TimeUnit.MICROSECOND || unit === TimeUnit.NANOSECOND) {
    const extra = Math.round((ms - whole) * (unit === TimeUnit.MICROSECOND ? 1_000 : 1_000_000));
    text += pad(extra, unit === TimeUnit.MICROSECOND ? 3 : 6);
  }
  return zoned ? `${text} UTC` : text;
}

function timeText(value: unknown, unit: TimeUnit): string {
  const perSecond = [1n, 1_000n, 1_000_000n, 1_000_000_000n][unit];
  const ticks = BigInt(value as bigint | number);
  const seconds = Number(ticks / perSecond);
  const fraction = ticks % perSecond;
  const hms = `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor(seconds / 60) % 60)}:${pad(seconds % 60)}`;
  return unit === TimeUnit.SECOND ? hms : `${hms}.${fraction.toString().padStart(String(perSecond).length - 1, "0")}`;
}

export function show(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "object") {
    try {
      return JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
    } catch {
      return String(value);
    }
  }
  return String(value);
}

export function formatterFor(field: Field): Formatter {
  const type = field.type;
  const nullable = (f: Formatter): Formatter => (v) => (v === null || v === undefined ? "NULL" : f(v));
  if (DataType.isDecimal(type)) return nullable((v) => decimalText(v, type.scale));
  if (DataType.isDate(type)) return nullable((v) => new Date(Number(v)).toISOString().slice(0, 10));
  if (DataType.isTimestamp(type)) return nullable((v) => timestampText(Number(v), type.unit, Boolean(type.timezone)));
  if (DataType.isTime(type)) return nullable((v) => timeText(v, type.unit));
  return show;
}
