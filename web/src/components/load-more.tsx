import { Button, Group, Text } from '@mantine/core';
import { notifyError } from '../api/errors';

/**
 * The foot of a list read a page at a time (keyset cursors): how many of how many are shown,
 * and "Load more" while there are more, so a long list never just stops. Renders nothing once
 * everything is shown.
 */
export function LoadMore({
  shown,
  total,
  totalCapped = false,
  noun,
  hasMore,
  loading,
  disabled = false,
  onLoad,
}: {
  shown: number;
  /** Every row the list holds, not just those loaded. */
  total: number;
  /** The list holds more than `total` (it stopped counting there): "10,000+". */
  totalCapped?: boolean;
  /** What the rows are, plural: "contacts", "open invoices". */
  noun: string;
  hasMore: boolean;
  loading: boolean;
  /** While the rows shown are a placeholder for another sort or search. */
  disabled?: boolean;
  onLoad: () => Promise<unknown>;
}) {
  if (!hasMore) return null;
  const counted = `${total.toLocaleString('en-US')}${totalCapped ? '+' : ''}`;
  return (
    <Group gap="md">
      <Button
        variant="default"
        loading={loading}
        disabled={disabled}
        onClick={() => onLoad().catch((error: unknown) => notifyError(error))}
      >
        Load more
      </Button>
      <Text size="sm" c="dimmed" role="status">
        Showing {shown.toLocaleString('en-US')} of {counted} {noun}
      </Text>
    </Group>
  );
}
