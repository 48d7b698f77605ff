import { Select, SimpleGrid, TextInput } from '@mantine/core';
import type { GetInputPropsReturnType } from '@mantine/form';
import {
  ticketLimits,
  ticketPriorities,
  ticketPriorityLabels,
} from '../../../src/shared/contract/tickets';

/** The priorities as Select options, most urgent last as the contract lists them. */
export const ticketPriorityOptions = ticketPriorities.map((value) => ({
  value,
  label: ticketPriorityLabels[value],
}));

/**
 * Priority, type and contact phone of a new ticket, side by side on a wide screen: the same
 * fields in the portal's Create New Service Ticket and staff's New ticket, so both ask alike.
 * `inputProps` is the form's getInputProps; `typeOptions` the active ticket types.
 */
export function TicketClassificationFields({
  inputProps,
  typeOptions,
}: {
  inputProps: (field: 'priority' | 'typeId' | 'contactPhone') => GetInputPropsReturnType;
  typeOptions: { value: string; label: string }[];
}) {
  return (
    <SimpleGrid cols={{ base: 1, sm: 3 }}>
      <Select
        label="Priority"
        data={ticketPriorityOptions}
        allowDeselect={false}
        required
        {...inputProps('priority')}
      />
      <Select
        label="Type"
        placeholder="Choose a type"
        data={typeOptions}
        allowDeselect={false}
        required
        {...inputProps('typeId')}
      />
      <TextInput
        label="Contact phone"
        placeholder="Optional"
        type="tel"
        autoComplete="tel"
        maxLength={ticketLimits.contactPhone}
        {...inputProps('contactPhone')}
      />
    </SimpleGrid>
  );
}
