import { dictionary } from '@zxcvbn-ts/language-common';
import { minimumPasswordLength } from '../../platform/passwords.js';

// About 49,000 passwords seen most often in breaches, from the zxcvbn-ts project's list.
const commonPasswords = new Set(
  (dictionary['passwords-common'] as string[]).map((word) => word.toLowerCase()),
);

/**
 * Why a portal password is not acceptable, or null when it is: long enough, not the email
 * address (or its name part), not a commonly used password.
 */
export function passwordProblem(password: string, email: string): string | null {
  if (password.length < minimumPasswordLength) {
    return `must be at least ${minimumPasswordLength} characters`;
  }
  if (password.length > 200) return 'must be at most 200 characters';
  const lower = password.toLowerCase();
  const address = email.toLowerCase();
  if (lower === address || lower === address.split('@')[0]) {
    return 'must not be your email address';
  }
  if (commonPasswords.has(lower)) return 'is a commonly used password: choose another';
  return null;
}
