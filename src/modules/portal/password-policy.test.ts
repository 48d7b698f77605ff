import { describe, expect, it } from 'vitest';
import { passwordProblem } from './password-policy.js';

describe('portal password rules', () => {
  const email = 'lknope@pawnee-indiana.gov';

  it('accepts a long, uncommon password', () => {
    expect(passwordProblem('waffles at JJs diner 1972', email)).toBeNull();
  });

  it('refuses a short one', () => {
    expect(passwordProblem('short-pass1', email)).toMatch(/at least 12/);
  });

  it('refuses the email address, in any case', () => {
    expect(passwordProblem('LKnope@Pawnee-Indiana.gov', email)).toMatch(/email address/);
  });

  it('refuses a commonly used password', () => {
    expect(passwordProblem('qwerty123456', email)).toMatch(/commonly used/);
    expect(passwordProblem('1Q2W3E4R5T6Y', email)).toMatch(/commonly used/);
  });
});
