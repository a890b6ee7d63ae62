const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** True for `YYYY-MM-DD` naming a day that exists (no 2026-02-30). */
export function isValidDate(text: string): boolean {
  const m = ISO_DATE.exec(text);
  if (!m) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return day <= (month === 2 ? (leap ? 29 : 28) : DAYS_IN_MONTH[month - 1]!);
}

/** The UTC calendar day of a moment, as `YYYY-MM-DD`. */
export function utcDay(moment: Date): string {
  return moment.toISOString().slice(0, 10);
}

/** The ways release headings write a date, as seen in real changelogs. */
export type DateFormat =
  | 'YYYY-MM-DD'
  | 'YYYY/MM/DD'
  | 'YYYY.MM.DD'
  | 'DD.MM.YYYY'
  | 'MMMM D, YYYY'
  | 'MMM D, YYYY'
  | 'D MMMM YYYY'
  | 'D MMM YYYY';

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const MONTH_NAMES = MONTHS.join('|');
const SHORT_NAMES = MONTHS.map((m) => m.slice(0, 3)).join('|');

const FORMATS: readonly { format: DateFormat; pattern: RegExp; order: 'ymd' | 'dmy' | 'mdy' }[] = [
  { format: 'YYYY-MM-DD', pattern: /^(\d{4})-(\d{2})-(\d{2})$/, order: 'ymd' },
  { format: 'YYYY/MM/DD', pattern: /^(\d{4})\/(\d{2})\/(\d{2})$/, order: 'ymd' },
  { format: 'YYYY.MM.DD', pattern: /^(\d{4})\.(\d{2})\.(\d{2})$/, order: 'ymd' },
  { format: 'DD.MM.YYYY', pattern: /^(\d{2})\.(\d{2})\.(\d{4})$/, order: 'dmy' },
  {
    format: 'MMMM D, YYYY',
    pattern: new RegExp(`^(${MONTH_NAMES}) (\\d{1,2}),? (\\d{4})$`),
    order: 'mdy',
  },
  {
    format: 'MMM D, YYYY',
    pattern: new RegExp(`^(${SHORT_NAMES})\\.? (\\d{1,2}),? (\\d{4})$`),
    order: 'mdy',
  },
  {
    format: 'D MMMM YYYY',
    pattern: new RegExp(`^(\\d{1,2}) (${MONTH_NAMES}),? (\\d{4})$`),
    order: 'dmy',
  },
  {
    format: 'D MMM YYYY',
    pattern: new RegExp(`^(\\d{1,2}) (${SHORT_NAMES})\\.?,? (\\d{4})$`),
    order: 'dmy',
  },
];

function monthNumber(text: string): number {
  if (/^\d+$/.test(text)) return Number(text);
  return MONTHS.findIndex((m) => m.startsWith(text.slice(0, 3))) + 1;
}

/**
 * A heading's date in one of the {@link DateFormat}s, as the ISO day it names (`2026-01-31`);
 * undefined for text in none of them or a day that does not exist.
 */
export function readDate(text: string): { format: DateFormat; day: string } | undefined {
  for (const { format, pattern, order } of FORMATS) {
    const m = pattern.exec(text);
    if (!m) continue;
    const [a, b, c] = [m[1]!, m[2]!, m[3]!];
    const [y, mo, d] = order === 'ymd' ? [a, b, c] : order === 'dmy' ? [c, b, a] : [c, a, b];
    const day = `${y}-${String(monthNumber(mo)).padStart(2, '0')}-${d.padStart(2, '0')}`;
    return isValidDate(day) ? { format, day } : undefined;
  }
  return undefined;
}

/** An ISO day (`2026-01-31`) written in a {@link DateFormat}. */
export function formatDate(day: string, format: DateFormat): string {
  const [y, mo, d] = day.split('-') as [string, string, string];
  const month = MONTHS[Number(mo) - 1]!;
  switch (format) {
    case 'YYYY-MM-DD':
      return day;
    case 'YYYY/MM/DD':
      return `${y}/${mo}/${d}`;
    case 'YYYY.MM.DD':
      return `${y}.${mo}.${d}`;
    case 'DD.MM.YYYY':
      return `${d}.${mo}.${y}`;
    case 'MMMM D, YYYY':
      return `${month} ${Number(d)}, ${y}`;
    case 'MMM D, YYYY':
      return `${month.slice(0, 3)} ${Number(d)}, ${y}`;
    case 'D MMMM YYYY':
      return `${Number(d)} ${month} ${y}`;
    case 'D MMM YYYY':
      return `${Number(d)} ${month.slice(0, 3)} ${y}`;
  }
}
