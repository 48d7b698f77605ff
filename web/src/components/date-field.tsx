import { DateInput, type DateInputProps } from '@mantine/dates';
import { useEffect, useRef, useState } from 'react';
import { dateProblem, parseDate } from '../../../src/shared/dates';
import { dateEntry, formatDay } from '../lib/format';

export interface DateFieldProps extends Omit<
  DateInputProps,
  'value' | 'defaultValue' | 'onChange' | 'valueFormat' | 'dateParser' | 'fixOnBlur'
> {
  /** A calendar date, "YYYY-MM-DD", or '' for none. */
  value: string;
  /**
   * Called with "YYYY-MM-DD", or '' when the box is emptied (with allowDeselect or clearable)
   * or holds text that is not a date (so a form never sends a date the box no longer shows);
   * `unreadable` tells the two '' apart, for a form where an empty box means something (New
   * Invoice's due date: the date from the terms).
   */
  onChange: (value: string, details?: { unreadable: boolean }) => void;
}

/**
 * A box for a calendar date (issue and due dates, date filters, a scheduled payment's date),
 * with a calendar: every date box of the console and the portal. It shows and reads the date in
 * the MSP's chosen format (the one formatter of src/shared/dates.ts, so the box matches every
 * other date on the page), while its value stays "YYYY-MM-DD", what the API takes. The calendar
 * opens on, and marks as today, the MSP's business today from the session answer, never the
 * browser's clock (docs/decisions/0015-business-dates.md).
 *
 * Typed text that is not a date ("31/02/2027", "tomorrow") stays in the box as typed, and once
 * the box is left its reason shows under it (dateProblem: "February 2027 has 28 days", the
 * format with an example); the value becomes '' meanwhile, so a form does not save, or a list
 * filter by, a date the box no longer shows. Mantine's own behaviour (set the text back to the
 * last good date, or empty it, on leaving) said nothing and lost what was typed.
 */
export function DateField({
  value,
  onChange,
  placeholder,
  error,
  onBlur,
  ...others
}: DateFieldProps) {
  const { dateFormat, today } = dateEntry();
  // Why the text being typed is not a date (null: it is one, or empty), and the reason shown:
  // the same, once the box has been left.
  const [unreadable, setUnreadable] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  // Set when this box emptied its value for unreadable text: the value that follows (''; or,
  // for New Invoice's due date, the date from the terms) is its own doing, not a new date.
  const emptiedForText = useRef(false);
  // A date set from outside (a form reset, new terms) replaces whatever was typed.
  useEffect(() => {
    if (emptiedForText.current) {
      emptiedForText.current = false;
      return;
    }
    setUnreadable(null);
    setProblem(null);
  }, [value]);
  return (
    <DateInput
      // Like every other field: `required` is announced, with no " *" after the label.
      withAsterisk={false}
      {...others}
      value={value || null}
      onChange={(next) => {
        setUnreadable(null);
        setProblem(null);
        onChange(next ?? '');
      }}
      valueFormat={(date) => formatDay(date, '')}
      dateParser={(text) => {
        // Called as the text changes (Mantine's input handler), with what was typed.
        const reason = dateProblem(text, dateFormat);
        setUnreadable(reason);
        if (reason === null) setProblem(null);
        else if (value !== '') {
          emptiedForText.current = true;
          onChange('', { unreadable: true });
        }
        return parseDate(text, dateFormat);
      }}
      // Text that is not a date stays as typed; a date, or nothing, is written in the format.
      fixOnBlur={unreadable === null}
      onBlur={(event) => {
        setProblem(unreadable);
        onBlur?.(event);
      }}
      error={problem ?? error}
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
