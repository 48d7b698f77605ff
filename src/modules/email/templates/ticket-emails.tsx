import { ActionButton, BrandedLayout, Paragraph } from './layout.js';
import { endSentence } from './sentence.js';
import type { Brand } from '../../settings/brand.js';
import { portalLink, portalPages } from '../portal-links.js';

/**
 * The service ticket emails. The client's (Ticket Created, Ticket Updated, Ticket Closed) carry
 * only what the portal shows: the summary, a public reply's text, the resolution notes; an
 * internal note has no field here to travel in. Staff's notice links to the console.
 */

export interface TicketEmailData {
  contactName: string;
  /** The ticket's organization: the link opens the portal acting for it. */
  organizationId: string;
  organizationName: string;
  ticketId: string;
  /** "T-1042". */
  number: string;
  summary: string;
  /** Ticket Updated: the public reply; Ticket Closed: the resolution notes; else ''. */
  text: string;
  /** Who wrote the reply or closed it, as the client reads it ("Our support team"). */
  by: string;
}

/** Staff's notice: a new ticket, or a client's additional information. */
export interface TicketStaffNoticeData extends Omit<TicketEmailData, 'contactName'> {
  kind: 'created' | 'additional_information';
  priority: string;
  /** Who opened it or added to it (a contact's name). */
  by: string;
  consoleUrl: string;
}

export const ticketCreatedSubject = (data: TicketEmailData) =>
  `We received your ticket ${data.number}: ${data.summary}`;
export const ticketUpdatedSubject = (data: TicketEmailData) =>
  `Ticket ${data.number} updated: ${data.summary}`;
export const ticketClosedSubject = (data: TicketEmailData) =>
  `Ticket ${data.number} closed: ${data.summary}`;
export const ticketStaffNoticeSubject = (data: TicketStaffNoticeData) =>
  data.kind === 'created'
    ? `New ticket ${data.number} from ${data.organizationName}: ${data.summary}`
    : `More information on ticket ${data.number} from ${data.organizationName}`;

/** Text as the person typed it: line breaks kept, never read as markup. */
function Quoted({ text }: { text: string }) {
  return (
    <div
      style={{
        whiteSpace: 'pre-wrap',
        borderLeft: '3px solid #dee2e6',
        paddingLeft: '12px',
        margin: '0 0 16px',
        fontSize: '14px',
        lineHeight: '22px',
      }}
    >
      {text}
    </div>
  );
}

function TicketButton({ data, brand }: { data: TicketEmailData; brand: Brand }) {
  return (
    <ActionButton
      brand={brand}
      href={portalLink(brand, portalPages.ticket(data.ticketId), data.organizationId)}
    >
      View ticket {data.number}
    </ActionButton>
  );
}

/** Ticket Created (to the contact who opened it): the number to quote, and a link. */
export function TicketCreatedEmail({ data, brand }: { data: TicketEmailData; brand: Brand }) {
  return (
    <BrandedLayout brand={brand} preview={ticketCreatedSubject(data)} title="Ticket received">
      <Paragraph>Hello {data.contactName},</Paragraph>
      <Paragraph>
        We received your service ticket <strong>{data.number}</strong> for{' '}
        {endSentence(data.organizationName)} Quote this number when you contact{' '}
        {endSentence(brand.mspName)}
      </Paragraph>
      <Quoted text={data.summary} />
      <TicketButton data={data} brand={brand} />
    </BrandedLayout>
  );
}

/** Ticket Updated (to the contact who opened it): a public reply, in the reply's words. */
export function TicketUpdatedEmail({ data, brand }: { data: TicketEmailData; brand: Brand }) {
  return (
    <BrandedLayout brand={brand} preview={ticketUpdatedSubject(data)} title="Ticket updated">
      <Paragraph>Hello {data.contactName},</Paragraph>
      <Paragraph>
        {data.by} replied on ticket <strong>{data.number}</strong>: {data.summary}
      </Paragraph>
      <Quoted text={data.text} />
      <TicketButton data={data} brand={brand} />
    </BrandedLayout>
  );
}

/** Ticket Closed (to the contact who opened it), with the resolution notes. */
export function TicketClosedEmail({ data, brand }: { data: TicketEmailData; brand: Brand }) {
  return (
    <BrandedLayout brand={brand} preview={ticketClosedSubject(data)} title="Ticket closed">
      <Paragraph>Hello {data.contactName},</Paragraph>
      <Paragraph>
        {data.by} closed ticket <strong>{data.number}</strong>: {data.summary}
      </Paragraph>
      <Paragraph>How it was resolved:</Paragraph>
      <Quoted text={data.text} />
      <Paragraph>
        It is in Service History. If the problem comes back, open a new ticket and mention{' '}
        {endSentence(data.number)}
      </Paragraph>
      <TicketButton data={data} brand={brand} />
    </BrandedLayout>
  );
}

/** Staff's notice (the configured address and the assignee): a new ticket, or more words. */
export function TicketStaffNoticeEmail({
  data,
  brand,
}: {
  data: TicketStaffNoticeData;
  brand: Brand;
}) {
  return (
    <BrandedLayout
      brand={brand}
      preview={ticketStaffNoticeSubject(data)}
      title={data.kind === 'created' ? 'New ticket' : 'Additional information'}
    >
      <Paragraph>
        {data.kind === 'created'
          ? `${data.by} at ${data.organizationName} opened ticket ${data.number} (${data.priority}): ${data.summary}`
          : `${data.by} at ${data.organizationName} added information to ticket ${data.number}: ${data.summary}`}
      </Paragraph>
      <Quoted text={data.text} />
      <ActionButton
        brand={brand}
        href={`${data.consoleUrl.replace(/\/+$/, '')}/tickets/${encodeURIComponent(data.ticketId)}`}
      >
        Open the ticket
      </ActionButton>
    </BrandedLayout>
  );
}

export const ticketEmailSample: TicketEmailData = {
  contactName: 'Leslie Knope',
  organizationId: '00000000-0000-0000-0000-000000000000',
  organizationName: 'Pawnee Parks Dept.',
  ticketId: '00000000-0000-0000-0000-000000000001',
  number: 'T-1042',
  summary: 'The printer on the second floor does not print',
  text: 'We replaced the toner cartridge; please try printing again.',
  by: 'Our support team',
};

export const ticketStaffNoticeSample: TicketStaffNoticeData = {
  ...ticketEmailSample,
  kind: 'created',
  priority: 'High',
  by: 'Leslie Knope',
  text: 'Since this morning nothing comes out of the printer on the second floor.',
  consoleUrl: 'http://localhost:3000',
};
