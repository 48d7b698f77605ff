import type { ReactNode } from 'react';
import { Table } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import classes from './responsive-table.module.css';

/** A screen this narrow (a phone: 390 px) shows a table's rows as cards. */
export const narrowScreen = '(max-width: 36em)';

/**
 * A table that fits a phone. On a wide screen it scrolls sideways in a container at least
 * `minWidth` pixels wide (Table.ScrollContainer); on a narrow one each row is a card and each
 * cell a line headed by its `data-label`: give every Table.Td one (a cell without one, such as
 * the row's buttons, stands alone, and an empty one is left out).
 */
export function ResponsiveTable({ minWidth, children }: { minWidth: number; children: ReactNode }) {
  const narrow = useMediaQuery(narrowScreen);
  if (narrow) return <div className={classes.stacked}>{children}</div>;
  return <Table.ScrollContainer minWidth={minWidth}>{children}</Table.ScrollContainer>;
}
