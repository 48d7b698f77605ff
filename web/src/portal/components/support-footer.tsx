import { Anchor, Group, Text } from '@mantine/core';
import { usePortalBranding } from '../api/portal-session';

/** How to reach the MSP, from its branding settings; absent parts are left out. */
export function SupportFooter() {
  const branding = usePortalBranding();
  const { supportEmail, supportPhone } = branding;
  return (
    <Group component="footer" gap="xs" justify="center" wrap="wrap" py="md" aria-label="Support">
      <Text size="sm" c="dimmed">
        Need help? Contact {branding.mspName}
        {supportEmail || supportPhone ? ':' : '.'}
      </Text>
      {supportEmail && (
        <Anchor size="sm" href={`mailto:${supportEmail}`}>
          {supportEmail}
        </Anchor>
      )}
      {supportPhone && (
        <Anchor size="sm" href={`tel:${supportPhone.replace(/[^\d+]/g, '')}`}>
          {supportPhone}
        </Anchor>
      )}
    </Group>
  );
}
