import { ActionButton, BrandedLayout, Paragraph } from './layout.js';
import { endSentence } from './sentence.js';
import type { Brand } from '../../settings/brand.js';
import { portalLink, portalPages } from '../portal-links.js';

export interface PaymentMethodExpirationData {
  contactName: string;
  /** The organization whose card it is: the link opens the portal acting for it. */
  organizationId: string;
  organizationName: string;
  brandName: string;
  last4: string;
  expMonth: number;
  expYear: number;
  usedForAutoPay: boolean;
}

export const paymentMethodExpirationSubject = (data: PaymentMethodExpirationData) =>
  `Your ${data.brandName} ending in ${data.last4} expires soon`;

export function PaymentMethodExpirationEmail(props: {
  data: PaymentMethodExpirationData;
  brand: Brand;
}) {
  const { data, brand } = props;
  const expiry = `${String(data.expMonth).padStart(2, '0')}/${data.expYear}`;
  return (
    <BrandedLayout
      brand={brand}
      preview={`${data.brandName} ending in ${data.last4} expires ${expiry}`}
      title="Payment Method Expiration Notice"
    >
      <Paragraph>Hello {data.contactName},</Paragraph>
      <Paragraph>
        The {data.brandName} ending in <strong>{data.last4}</strong> that {data.organizationName}{' '}
        keeps on file with {brand.mspName} expires at the end of {endSentence(expiry)}
        {data.usedForAutoPay
          ? ' It is the card AutoPay uses, so AutoPay will fail after that.'
          : ''}
      </Paragraph>
      <Paragraph>Please add a new payment method in the client portal.</Paragraph>
      <ActionButton
        brand={brand}
        href={portalLink(brand, portalPages.paymentMethods, data.organizationId)}
      >
        Update Payment Methods
      </ActionButton>
    </BrandedLayout>
  );
}

export const paymentMethodExpirationSample: PaymentMethodExpirationData = {
  contactName: 'Demo Owner',
  organizationId: '00000000-0000-0000-0000-000000000000',
  organizationName: 'Demo Company',
  brandName: 'Visa',
  last4: '4242',
  expMonth: 12,
  expYear: 2026,
  usedForAutoPay: true,
};
