/** The server's rules, said once for every form that sets a password. */
export const passwordRulesText =
  'At least 12 characters. Not your email address, and not a common password.';

export const minPasswordLength = 12;

export function validateNewPassword(value: string): string | null {
  if (!value) return 'Enter a new password';
  if (value.length < minPasswordLength) return `Use at least ${minPasswordLength} characters`;
  return null;
}

export function validateConfirmation(value: string, password: string): string | null {
  if (!value) return 'Enter the new password again';
  return value === password ? null : 'The passwords do not match';
}
