import { DateInput, type DateInputProps } from '@mantine/dates';
import { parseDate } from '../../../src/shared/dates';
import { dateEntry, formatDay } from '../lib/format';

export interface DateFieldProps extends Omit<
  DateInputProps,
  'value' | 'defaultValue' | 'onChange' | 'valueFormat' | 'dateParser'
> {
  /** A calendar date, "YYYY-MM-DD", or '' for none. */
  value: string;
  /** Called with "YYYY-MM-DD", or '' when the box is emptied (with allowDeselect or clearable). */
  onChange: (value: string) => void;
}

/**
 * A box for a calendar date (issue and due dates, date filters), with a calendar. It shows and
 * reads the date in the MSP's chosen format (the one formatter of src/shared/dates.ts, so the
 * box matches every other date on the page), while its value stays "YYYY-MM-DD", what the API
 * takes. The calendar opens on, and marks as today, the MSP's business today from the session
 * answer, never the browser's clock (docs/decisions/0015-business-dates.md). Typed text that is
 * not a date in the format is set back to the last good date when the box loses focus.
 */
export function DateField({ value, onChange, placeholder, ...others }: DateFieldProps) {
  const { dateFormat, today } = dateEntry();
  return (
    <DateInput
      // Like every other field: `required` is announced, with no " *" after the label.
      withAsterisk={false}
      {...others}
      value={value || null}
      onChange={(next) => onChange(next ?? '')}
      valueFormat={(date) => formatDay(date, '')}
      dateParser={(text) => parseDate(text, dateFormat)}
      // The format itself is the hint, as the box is empty: "DD/MM/YYYY".
      placeholder={placeholder ?? dateFormat}
      defaultDate={today ?? undefined}
      // Mantine puts data-today on the browser's date and cannot be told otherwise (a day's
      // props cannot unset it), so its own highlight is off and the mark, the pair of
      // attributes its style draws, goes on the MSP's date alone.
      highlightToday={false}
      getDayProps={(day) =>
        today !== null && day === today ? { 'data-today': true, 'data-highlight-today': true } : {}
      }
    />
  );
}
