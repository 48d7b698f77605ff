import { describe, expect, it } from 'vitest';
import {
  emailTemplateKeys,
  emailTemplates,
  renderEmail,
  type EmailTemplateKey,
} from '../../src/modules/email/templates/index.js';
import { sampleBrand } from '../../src/modules/settings/brand.js';

// Names as clients and MSPs register them, ending in an abbreviation's period.
const names: Record<string, string> = {
  organizationName: 'Dvořák & Syn s.r.o.',
  contactName: 'Jan Dvořák Jr.',
  mspName: 'Northwind IT s.r.o.',
};

/** The data with every name field (at any depth) replaced by a name ending in ".". */
function withDottedNames<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withDottedNames) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, field]) => [
        key,
        typeof field === 'string' && key in names ? names[key] : withDottedNames(field),
      ]),
    ) as T;
  }
  return value;
}

/** What a reader sees of the HTML part: its text, without tags and comments. */
function visibleText(html: string): string {
  return html
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<(style|head)[\s\S]*?<\/\1>/g, '')
    .replace(/<[^>]+>/g, '');
}

describe('emails naming someone whose name ends in "."', () => {
  for (const key of emailTemplateKeys) {
    it(`the ${emailTemplates[key].name} email ends each sentence with one period`, async () => {
      const data = withDottedNames(emailTemplates[key].sample);
      const email = await renderEmail(key as EmailTemplateKey, data as never, {
        ...sampleBrand,
        mspName: names.mspName!,
      });
      // The names are in the email, so a sentence ending with one is really tested.
      expect(email.text).toMatch(/s\.r\.o\.|Jr\./);
      expect(email.text).not.toContain('..');
      expect(visibleText(email.html)).not.toContain('..');
      expect(email.subject).not.toContain('..');
    });
  }

  it('the Payment Rescheduled email for new amounts on the same date ends its sentence with one period', async () => {
    const data = withDottedNames({
      ...emailTemplates.payment_rescheduled.sample,
      previousRunOn: emailTemplates.payment_rescheduled.sample.runOn,
    });
    const email = await renderEmail('payment_rescheduled', data, sampleBrand);
    expect(email.text).toContain(
      'You changed a scheduled payment for Dvořák & Syn s.r.o. This is what will be charged:',
    );
    expect(visibleText(email.html)).not.toContain('..');
  });

  it('the New Invoice and Welcome emails keep the name and go on to the next sentence', async () => {
    const brand = { ...sampleBrand, mspName: names.mspName! };
    const invoice = await renderEmail(
      'new_invoice',
      withDottedNames(emailTemplates.new_invoice.sample),
      brand,
    );
    expect(invoice.text).toContain(
      'has issued invoice INV-1042 to Dvořák & Syn s.r.o. The invoice is attached as a PDF.',
    );
    const welcome = await renderEmail(
      'welcome',
      withDottedNames(emailTemplates.welcome.sample),
      brand,
    );
    expect(welcome.text).toContain(
      'Northwind IT s.r.o. has opened a client portal account for you at Dvořák & Syn s.r.o. There',
    );
  });
});
