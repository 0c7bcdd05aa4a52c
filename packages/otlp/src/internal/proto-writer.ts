/*
 * A protobuf wire-format writer into one growing buffer that is reused from one
 * message to the next. A length-delimited field (a nested message, a string)
 * reserves one byte for its length, is written in place, and is moved up only
 * when its length needs more than one byte, so nothing is sized twice and no
 * intermediate object is built. `finish()` copies the message out, because the
 * buffer is overwritten by the next one while the first may still be in flight.
 */

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;

/** Bytes a varint of `value` (0 <= value < 2^32) takes. */
function varintSize(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x200000) return 3;
  if (value < 0x10000000) return 4;
  return 5;
}

const TWO_32 = 2 ** 32;
/** A buffer grown past this by one large message is not kept for the next. */
const KEEP_BYTES = 1024 * 1024;
const DIGITS = /^\d+$/;
/** Strings up to this many UTF-16 units are tried as ASCII by hand, before `encodeInto`. */
const SHORT = 64;
/** A hex digit's value by char code, -1 where it is not one. */
const HEX_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX_VALUE[48 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX_VALUE[97 + i] = 10 + i;
  HEX_VALUE[65 + i] = 10 + i;
}
const MAX_BYTES = 2 ** 31 - 1;

/** Decodes base64 (standard or URL-safe, padded or not) without Buffer. */
export function fromBase64(value: string): Uint8Array {
  let text: string;
  try {
    text = atob(
      value
        .replace(/-/g, '+')
        .replace(/_/g, '/')
        .replace(/[^A-Za-z0-9+/]/g, ''),
    );
  } catch {
    return new Uint8Array(0);
  }
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

const utf8 = new TextEncoder();

/**
 * Plain `Uint8Array` and `TextEncoder`, no `Buffer`: the writer runs on
 * Workers without `nodejs_compat` too.
 */
export class ProtoWriter {
  private buf: Uint8Array;
  private view: DataView;
  private pos = 0;
  private readonly initialBytes: number;

  constructor(initialBytes = 64 * 1024) {
    this.initialBytes = initialBytes;
    this.buf = new Uint8Array(initialBytes);
    this.view = new DataView(this.buf.buffer);
  }

  /** Starts a new message, keeping the buffer unless one message made it large. */
  reset(): void {
    this.pos = 0;
    if (this.buf.length > KEEP_BYTES) this.replace(new Uint8Array(this.initialBytes));
  }

  /** The finished message, copied out of the reused buffer. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  /** Opens a nested message as field `field`; close it with `end(mark)`. */
  begin(field: number): number {
    this.key(field, WIRE_LEN);
    this.ensure(1);
    return this.pos++;
  }

  /** Closes the nested message opened at `mark`, writing its length. */
  end(mark: number): void {
    this.writeLength(mark, this.pos - mark - 1);
  }

  uint32(field: number, value: number): void {
    this.key(field, WIRE_VARINT);
    this.varint(value >>> 0);
  }

  /** int32 and enums: negative values take ten bytes, as the format requires. */
  int32(field: number, value: number): void {
    this.key(field, WIRE_VARINT);
    if (value >= 0) this.varint(value | 0);
    else this.varint64(value | 0, -1);
  }

  /** int64 from a decimal string or a number (two's complement varint). */
  int64(field: number, value: string | number): void {
    const bits = BigInt.asUintN(64, BigInt(value));
    this.key(field, WIRE_VARINT);
    this.varint64(Number(bits & 0xffffffffn), Number(bits >> 32n));
  }

  bool(field: number, value: boolean): void {
    this.key(field, WIRE_VARINT);
    this.ensure(1);
    this.buf[this.pos++] = value ? 1 : 0;
  }

  fixed32(field: number, value: number): void {
    this.key(field, WIRE_FIXED32);
    this.ensure(4);
    this.view.setUint32(this.pos, value >>> 0, true);
    this.pos += 4;
  }

  /**
   * fixed64 from a decimal string (Unix nanoseconds). Core writes whole
   * microseconds followed by `000`; those are split into 32-bit halves exactly
   * with doubles. Anything else goes through a BigInt.
   */
  fixed64(field: number, decimal: string): void {
    this.key(field, WIRE_FIXED64);
    this.ensure(8);
    const micros =
      decimal.length > 15 && decimal.length <= 19 && decimal.endsWith('000') && DIGITS.test(decimal)
        ? Number(decimal.slice(0, -3))
        : Number.NaN;
    let low: number;
    let high: number;
    if (decimal.length <= 15 && DIGITS.test(decimal)) {
      const value = Number(decimal);
      low = value % TWO_32;
      high = Math.floor(value / TWO_32);
    } else if (micros <= Number.MAX_SAFE_INTEGER) {
      const lowNanos = (micros % TWO_32) * 1000;
      low = lowNanos % TWO_32;
      high = Math.floor(micros / TWO_32) * 1000 + Math.floor(lowNanos / TWO_32);
    } else {
      const bits = BigInt.asUintN(64, BigInt(decimal));
      low = Number(bits & 0xffffffffn);
      high = Number(bits >> 32n);
    }
    this.view.setUint32(this.pos, low >>> 0, true);
    this.view.setUint32(this.pos + 4, high >>> 0, true);
    this.pos += 8;
  }

  double(field: number, value: number): void {
    this.key(field, WIRE_FIXED64);
    this.ensure(8);
    this.view.setFloat64(this.pos, value, true);
    this.pos += 8;
  }

  string(field: number, value: string): void {
    this.key(field, WIRE_LEN);
    // Up to three bytes per UTF-16 unit, plus the largest length prefix.
    this.ensure(value.length * 3 + 5);
    const mark = this.pos++;
    const written = value.length <= SHORT ? this.shortUtf8(value) : -1;
    const length =
      written >= 0 ? written : utf8.encodeInto(value, this.buf.subarray(this.pos)).written;
    this.pos += length;
    this.writeLength(mark, length);
  }

  /** Writes an ASCII string at pos (not moving it); -1 if it is not ASCII. */
  private shortUtf8(value: string): number {
    const buf = this.buf;
    const at = this.pos;
    for (let i = 0; i < value.length; i++) {
      const code = value.charCodeAt(i);
      if (code >= 0x80) return -1;
      buf[at + i] = code;
    }
    return value.length;
  }

  /** bytes given as hex (ids); writing stops at the first pair that is not hex. */
  hex(field: number, value: string): void {
    this.key(field, WIRE_LEN);
    this.ensure((value.length >>> 1) + 5);
    const mark = this.pos++;
    const buf = this.buf;
    let written = 0;
    for (let i = 0; i + 1 < value.length; i += 2) {
      const hi = HEX_VALUE[value.charCodeAt(i)] ?? -1;
      const lo = HEX_VALUE[value.charCodeAt(i + 1)] ?? -1;
      if (hi < 0 || lo < 0) break;
      buf[this.pos + written++] = (hi << 4) | lo;
    }
    this.pos += written;
    this.writeLength(mark, written);
  }

  /** bytes given as base64 (OTLP/JSON's `bytesValue`). */
  base64(field: number, value: string): void {
    const bytes = fromBase64(value);
    this.key(field, WIRE_LEN);
    this.ensure(bytes.length + 5);
    this.varint(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  private key(field: number, wireType: number): void {
    this.ensure(5);
    this.varint((field << 3) | wireType);
  }

  /** Writes `length` at `mark`, moving the `length` bytes after it up if one byte is too few. */
  private writeLength(mark: number, length: number): void {
    const size = varintSize(length);
    if (size > 1) {
      this.ensure(size - 1);
      this.buf.copyWithin(mark + size, mark + 1, mark + 1 + length);
      this.pos += size - 1;
    }
    let at = mark;
    let value = length;
    while (value >= 0x80) {
      this.buf[at++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    this.buf[at] = value;
  }

  /** A varint of 0 <= value < 2^32; the caller has ensured five bytes. */
  private varint(value: number): void {
    const buf = this.buf;
    let v = value >>> 0;
    while (v >= 0x80) {
      buf[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[this.pos++] = v;
  }

  /** A 64-bit varint from its low and high 32 bits. */
  private varint64(low: number, high: number): void {
    this.ensure(10);
    let lo = low >>> 0;
    let hi = high >>> 0;
    const buf = this.buf;
    while (hi !== 0 || lo >= 0x80) {
      buf[this.pos++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    buf[this.pos++] = lo;
  }

  private ensure(bytes: number): void {
    const needed = this.pos + bytes;
    if (needed <= this.buf.length) return;
    if (needed > MAX_BYTES) throw new RangeError('OTLP message larger than 2 GiB');
    const grown = new Uint8Array(Math.min(MAX_BYTES, Math.max(needed, this.buf.length * 2)));
    grown.set(this.buf.subarray(0, this.pos));
    this.replace(grown);
  }

  private replace(buf: Uint8Array): void {
    this.buf = buf;
    this.view = new DataView(buf.buffer);
  }
}
