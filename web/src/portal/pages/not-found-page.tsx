import { Button, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { usePortalTitle } from '../use-portal-title';

export function PortalNotFoundPage() {
  usePortalTitle('Page not found');
  return (
    <Stack align="flex-start" py="xl">
      <Title order={1}>Page not found</Title>
      <Text c="dimmed">There is nothing at this address. The link may be mistyped.</Text>
      <Button component={Link} to="/portal" variant="light">
        Go to the portal home
      </Button>
    </Stack>
  );
}
