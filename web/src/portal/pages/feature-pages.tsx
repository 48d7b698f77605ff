import type { ReactNode } from 'react';
import { Stack, Text, Title } from '@mantine/core';
import { usePortalTitle } from '../use-portal-title';

/** A feature page: its nav name as the heading, one line on what it is, then the data. */
export function FeaturePage({
  title,
  intro,
  children,
}: {
  title: string;
  intro: string;
  children: ReactNode;
}) {
  usePortalTitle(title);
  return (
    <Stack gap="sm">
      <Title order={1}>{title}</Title>
      <Text c="dimmed" size="sm">
        {intro}
      </Text>
      {children}
    </Stack>
  );
}
