import { useState } from 'react';
import { Select, type SelectProps } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useOrganizationOptions } from './invoices-api';

interface OrganizationSelectProps extends Omit<
  SelectProps,
  'data' | 'value' | 'onChange' | 'searchable'
> {
  value: string | null;
  onChange: (value: string | null) => void;
  /** The chosen organization's name, when it is known before any search (editing). */
  selectedName?: string;
}

/** A searchable organization picker that asks the server (GET /api/organizations?q=). */
export function OrganizationSelect({
  value,
  onChange,
  selectedName,
  ...props
}: OrganizationSelectProps) {
  const [search, setSearch] = useState('');
  const [chosen, setChosen] = useState<{ value: string; label: string } | null>(
    value && selectedName ? { value, label: selectedName } : null,
  );
  const [debounced] = useDebouncedValue(search.trim(), 250);
  // Once an organization is chosen the box shows its name; that is not a new search.
  const query = chosen && debounced === chosen.label ? '' : debounced;
  const options = useOrganizationOptions(query);

  const data = (options.data ?? []).map((o) => ({ value: o.id, label: o.name }));
  if (value && chosen?.value === value && !data.some((o) => o.value === value)) {
    data.unshift(chosen);
  }

  return (
    <Select
      {...props}
      searchable
      clearable
      data={data}
      value={value}
      searchValue={search}
      onSearchChange={setSearch}
      // The server already filtered; filtering again by the shown name would hide the rest.
      filter={({ options: all }) => all}
      nothingFoundMessage={options.isFetching ? 'Searching…' : 'No organizations found'}
      onChange={(next, option) => {
        setChosen(next && option ? { value: next, label: option.label } : null);
        onChange(next);
      }}
    />
  );
}
