import { Card, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { usePortalSession } from '../api/portal-session';
import { allowedNav } from '../portal-nav';
import { usePortalTitle } from '../use-portal-title';

export function PortalHomePage() {
  usePortalTitle('Home');
  const session = usePortalSession().data;
  const contact = session?.contact;
  const current = session?.current;
  const groups = allowedNav(current?.permissions ?? []);

  return (
    <Stack gap="lg">
      <div>
        <Title order={1}>Welcome, {contact?.name}</Title>
        {current && (
          <Text c="dimmed" size="lg">
            {current.organizationName}
          </Text>
        )}
      </div>
      {groups.map((group) => (
        <Stack component="section" key={group.label} gap="xs" aria-label={group.label}>
          <Title order={2} size="h4">
            {group.label}
          </Title>
          <SimpleGrid cols={{ base: 1, xs: 2, md: 3 }}>
            {group.items.map((item) => (
              <Card
                key={item.path}
                component={Link}
                to={item.path}
                withBorder
                padding="md"
                radius="md"
                style={{ textDecoration: 'none' }}
              >
                <Text fw={600} c="var(--mantine-primary-color-filled)">
                  {item.label}
                </Text>
                <Text size="sm" c="dimmed">
                  {item.description}
                </Text>
              </Card>
            ))}
          </SimpleGrid>
        </Stack>
      ))}
    </Stack>
  );
}
