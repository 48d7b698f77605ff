import { notifications } from '@mantine/notifications';
import { ApiError } from './client';

/** The part of a @mantine/form form that error handling needs. */
interface FormWithErrors {
  getValues: () => object;
  setErrors: (errors: Record<string, string>) => void;
}

function hasPath(values: unknown, path: string): boolean {
  let current: unknown = values;
  for (const part of path.split('.')) {
    if (typeof current !== 'object' || current === null || !(part in current)) return false;
    current = (current as Record<string, unknown>)[part];
  }
  return true;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return 'Something went wrong.';
}

export function notifyError(error: unknown, title = 'Could not complete that') {
  // The 401 handler already sends the user to sign in; a toast on top would only be noise.
  if (error instanceof ApiError && error.status === 401) return;
  notifications.show({ color: 'red', title, message: errorMessage(error) });
}

/**
 * Shows an API error where the user will look for it: field errors next to the matching
 * input of the form, anything else as a notification.
 */
export function showApiError(error: unknown, form?: FormWithErrors, title?: string) {
  if (form && error instanceof ApiError && error.fields.length > 0) {
    const values = form.getValues();
    const matched = error.fields.filter((f) => hasPath(values, f.field));
    if (matched.length > 0) {
      form.setErrors(Object.fromEntries(matched.map((f) => [f.field, capitalize(f.message)])));
      if (matched.length === error.fields.length) return;
    }
  }
  notifyError(error, title);
}

/**
 * What an alert still has to say of a refusal whose field reasons are shown beside their boxes
 * (`shown` says which fields have a box): the other fields' reasons, or the message itself
 * when it names no field or is one field's whole sentence; null when every reason is already
 * beside its box. Never "runOn: …": an API field's name means nothing to the person reading.
 */
export function refusalText(error: Error, shown: (field: string) => boolean): string | null {
  if (!(error instanceof ApiError) || error.fields.length === 0) return error.message;
  if (error.fields.some((f) => f.message === error.message)) return error.message;
  const others = error.fields.filter((f) => !shown(f.field));
  if (others.length === 0) return null;
  return others.map((f) => capitalize(f.message)).join('. ');
}

export function notifySuccess(message: string) {
  notifications.show({ color: 'green', message });
}
