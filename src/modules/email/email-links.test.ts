import { describe, expect, it } from 'vitest';
import { linkBaseOf, rebaseLinks } from './email-links.js';

describe('rebaseLinks', () => {
  it('moves whole addresses only, once, in the markup and the text', () => {
    const moved = rebaseLinks(
      {
        html: '<a href="http://localhost:3000/portal/set-password?token=x">Set</a> http://localhost:30001/portal http://localhost:3000.example/portal',
        text: 'Open http://localhost:3000/portal. Or http://localhost:3000/portalx',
      },
      'http://localhost:3000/portal',
      'http://localhost:3000/portal/new',
    );
    expect(moved.html).toBe(
      '<a href="http://localhost:3000/portal/new/set-password?token=x">Set</a> http://localhost:30001/portal http://localhost:3000.example/portal',
    );
    expect(moved.text).toBe(
      'Open http://localhost:3000/portal/new. Or http://localhost:3000/portalx',
    );
  });

  it('matches an address with & as the markup writes it', () => {
    const moved = rebaseLinks(
      {
        html: '<a href="https://a.example/p?x=1&amp;y=2/i">i</a>',
        text: 'https://a.example/p?x=1&y=2/i',
      },
      'https://a.example/p?x=1&y=2',
      'https://b.example/portal',
    );
    expect(moved.html).toBe('<a href="https://b.example/portal/i">i</a>');
    expect(moved.text).toBe('https://b.example/portal/i');
  });
});

describe('linkBaseOf', () => {
  it('is the portal for client emails and PUBLIC_URL for staff ones, without a trailing slash', () => {
    const where = {
      brand: { portalUrl: 'https://billing.example/portal/' },
      address: { PUBLIC_URL: 'https://portico.example' },
    };
    expect(linkBaseOf('welcome', where)).toBe('https://billing.example/portal');
    expect(linkBaseOf('email_failure_summary', where)).toBe('https://portico.example');
  });
});
