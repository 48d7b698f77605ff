import type { ReactNode } from 'react';
import { Center, Paper, Stack, Title } from '@mantine/core';
import { BrandMark } from './brand-mark';
import { SupportFooter } from './support-footer';

/** The frame of the pages a contact sees before signing in: the MSP's mark, a card, support. */
export function PublicPage({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Center mih="100vh" p="md" bg="gray.0">
      <Stack w="100%" maw={440} gap="md">
        <Paper component="main" withBorder shadow="sm" p="xl" radius="md">
          <Stack>
            <BrandMark />
            <Title order={1} size="h2">
              {title}
            </Title>
            {children}
          </Stack>
        </Paper>
        <SupportFooter />
      </Stack>
    </Center>
  );
}
