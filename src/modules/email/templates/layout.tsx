import type { ReactNode } from 'react';
import { Body } from '@react-email/body';
import { Button } from '@react-email/button';
import { Container } from '@react-email/container';
import { Head } from '@react-email/head';
import { Heading } from '@react-email/heading';
import { Hr } from '@react-email/hr';
import { Html } from '@react-email/html';
import { Img } from '@react-email/img';
import { Preview } from '@react-email/preview';
import { Section } from '@react-email/section';
import { Text } from '@react-email/text';
import type { Brand } from '../../settings/brand.js';

const fontFamily = '-apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif';

/** The frame every Portico email shares: the MSP's logo or name, the content, the footer. */
export function BrandedLayout(props: {
  brand: Brand;
  preview: string;
  title: string;
  children: ReactNode;
}) {
  const { brand } = props;
  return (
    <Html lang="en">
      <Head />
      <Preview>{props.preview}</Preview>
      <Body style={{ backgroundColor: '#f4f5f7', fontFamily, margin: 0, padding: '24px 0' }}>
        <Container style={{ backgroundColor: '#ffffff', borderRadius: 8, maxWidth: 600 }}>
          <Section
            style={{
              backgroundColor: brand.brandColor,
              borderRadius: '8px 8px 0 0',
              padding: '16px 24px',
            }}
          >
            {brand.logoUrl ? (
              <Img src={brand.logoUrl} alt={brand.mspName} height={40} />
            ) : (
              <Text style={{ color: '#ffffff', fontSize: 20, fontWeight: 700, margin: 0 }}>
                {brand.mspName}
              </Text>
            )}
          </Section>
          <Section style={{ padding: '8px 24px 16px' }}>
            <Heading as="h1" style={{ fontSize: 22, color: '#1a1b1e' }}>
              {props.title}
            </Heading>
            {props.children}
          </Section>
          <Hr style={{ borderColor: '#e9ecef', margin: 0 }} />
          <Section style={{ padding: '12px 24px' }}>
            <Text style={{ color: '#868e96', fontSize: 12, margin: 0 }}>
              {brand.mspName}
              {brand.supportEmail ? ` · ${brand.supportEmail}` : ''}
              {brand.supportPhone ? ` · ${brand.supportPhone}` : ''}
            </Text>
          </Section>
        </Container>
      </Body>
    </Html>
  );
}

export function Paragraph(props: { children: ReactNode }) {
  return (
    <Text style={{ fontSize: 15, lineHeight: '24px', color: '#343a40' }}>{props.children}</Text>
  );
}

export function ActionButton(props: { brand: Brand; href: string; children: ReactNode }) {
  return (
    <Section style={{ padding: '8px 0 16px' }}>
      <Button
        href={props.href}
        style={{
          backgroundColor: props.brand.brandColor,
          borderRadius: 6,
          color: '#ffffff',
          fontSize: 15,
          fontWeight: 600,
          padding: '12px 20px',
        }}
      >
        {props.children}
      </Button>
    </Section>
  );
}
