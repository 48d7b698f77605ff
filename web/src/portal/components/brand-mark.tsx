import { Group, Image, Text } from '@mantine/core';
import { usePortalBranding } from '../api/portal-session';

/** The MSP's logo and name: the portal is theirs, not Portico's. */
export function BrandMark({ size = 'lg' }: { size?: 'md' | 'lg' | 'xl' }) {
  const branding = usePortalBranding();
  return (
    <Group gap="sm" wrap="nowrap">
      {branding.logoUrl && (
        // The name is written next to it, so the picture itself says nothing more.
        <Image src={branding.logoUrl} alt="" h={36} w="auto" fit="contain" />
      )}
      <Text fw={700} size={size} c="var(--mantine-primary-color-filled)" lineClamp={1}>
        {branding.mspName}
      </Text>
    </Group>
  );
}
