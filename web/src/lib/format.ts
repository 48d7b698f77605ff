const pad = (n: number) => String(n).padStart(2, '0');

/** "MM-DD-YYYY hh:mm:ss A", the format staff know from the old portal, in local time. */
export function formatDateTime(value: string | null | undefined, never = 'Never'): string {
  if (!value) return never;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return never;
  const hours = date.getHours();
  const hour12 = hours % 12 === 0 ? 12 : hours % 12;
  return (
    `${pad(date.getMonth() + 1)}-${pad(date.getDate())}-${date.getFullYear()} ` +
    `${pad(hour12)}:${pad(date.getMinutes())}:${pad(date.getSeconds())} ${hours < 12 ? 'AM' : 'PM'}`
  );
}

/** "MM-DD-YYYY" for tables where the time is noise. */
export function formatDate(value: string | null | undefined, never = 'Never'): string {
  if (!value) return never;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return never;
  return `${pad(date.getMonth() + 1)}-${pad(date.getDate())}-${date.getFullYear()}`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** "MM-DD-YYYY hh:mm A", local time: email history rows and their events. */
export function formatDateTimeMinutes(value: string | null | undefined, never = 'Never'): string {
  const full = formatDateTime(value, never);
  // "MM-DD-YYYY hh:mm:ss A" without the seconds.
  return full === never ? never : full.replace(/:(\d{2}) (AM|PM)$/, ' $2');
}

/** A byte count in B, KB or MB, for attachment sizes. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
