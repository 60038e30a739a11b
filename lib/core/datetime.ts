/**
 * oslo's datetime text: a naive UTC datetime in ISO 8601 with microseconds, as oslo's `jsonutils`
 * writes a Python `datetime` ("2024-02-29T23:59:58.123456"). oslo never turns that text back into
 * a datetime when it receives it, so neither does the wire: a value becomes a Date or an
 * `OsloDatetime` only where a serializer the user chose says so (`datetimeSerializer`).
 */

const OSLO_DATETIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?$/;

/** Whether `text` is a whole oslo datetime; the length and the `T` are checked first, as most strings are not. */
export function isOsloDatetime(text: string): boolean {
  return text.length >= 19 && text.length <= 26 && text.charCodeAt(10) === 84 && OSLO_DATETIME.test(text);
}

/** A Date as oslo's `jsonutils` writes a naive UTC datetime (a Date has no microseconds: they are 000). */
export function formatDate(date: Date): string {
  return `${date.toISOString().slice(0, 23)}000`;
}

/** oslo's datetime text (taken as UTC) as a Date, at the millisecond a Date can hold. */
export function parseDate(text: string): Date {
  const [seconds, fraction = ''] = text.split('.');
  return new Date(`${seconds}.${fraction.padEnd(3, '0').slice(0, 3)}Z`);
}

/**
 * A datetime to the microsecond, as Python and oslo have them: what a Date cannot hold. It
 * keeps the text it was read from and writes exactly that text back (`toJSON`), so a value
 * echoed to a Python peer comes back to it unchanged.
 */
export class OsloDatetime {
  private constructor(
    /** The oslo datetime text, e.g. "2024-02-29T23:59:58.123456". */
    readonly text: string,
  ) {}

  /** Reads oslo's datetime text; anything else is a RangeError. */
  static parse(text: string): OsloDatetime {
    if (!isOsloDatetime(text)) throw new RangeError(`not an oslo datetime (YYYY-MM-DDTHH:MM:SS[.ffffff], UTC): '${text}'`);
    return new OsloDatetime(text);
  }

  /** The Date's UTC time, with `microsecond` (0-999999) in place of its milliseconds when given. */
  static fromDate(date: Date, microsecond = date.getUTCMilliseconds() * 1000): OsloDatetime {
    if (Number.isNaN(date.getTime())) throw new RangeError('an invalid Date has no datetime');
    if (!Number.isInteger(microsecond) || microsecond < 0 || microsecond > 999_999) throw new RangeError(`microsecond must be an integer 0-999999, got ${microsecond}`);
    return new OsloDatetime(`${date.toISOString().slice(0, 19)}.${String(microsecond).padStart(6, '0')}`);
  }

  /** 0-999999, as Python's `datetime.microsecond`. */
  get microsecond(): number {
    const fraction = this.text.split('.')[1] ?? '';
    return Number(fraction.padEnd(6, '0'));
  }

  /** The Date at millisecond precision (the microseconds below it are lost). */
  toDate(): Date {
    return parseDate(this.text);
  }

  toJSON(): string {
    return this.text;
  }

  toString(): string {
    return this.text;
  }
}
