import { Button, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { usePageTitle } from '../lib/use-page-title';

export function NotFoundPage({
  title = 'Page not found',
  message = 'There is nothing at this address. It may have moved, or the link may be mistyped.',
}: {
  title?: string;
  message?: string;
}) {
  usePageTitle(title);
  return (
    <Stack align="flex-start" py="xl">
      <Title order={1}>{title}</Title>
      <Text c="dimmed">{message}</Text>
      <Button component={Link} to="/organizations" variant="light">
        Go to Organizations
      </Button>
    </Stack>
  );
}
