import { useId, useState } from 'react';
import { ActionIcon, Button, FileButton, Group, List, Stack, Text } from '@mantine/core';
import { IconPaperclip, IconX } from '@tabler/icons-react';
import { formatBytes } from '../lib/format';

/**
 * The attachment limits an MSP sets (Configuration > Service Tickets): bytes per file, files
 * per post, and the extensions accepted ("pdf,png,jpg", lower case, no dots).
 */
export interface AttachmentLimits {
  maxFileBytes: number;
  maxFiles: number;
  allowedTypes: string;
}

/** "10 MB", "512 KB": a limit as people say it (whole units where it is one). */
export function formatLimitBytes(bytes: number): string {
  const mb = 1024 * 1024;
  if (bytes >= mb && bytes % mb === 0) return `${bytes / mb} MB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KB`;
  return formatBytes(bytes);
}

function allowedExtensions(limits: AttachmentLimits): string[] {
  return limits.allowedTypes
    .split(',')
    .map((type) => type.trim().toLowerCase().replace(/^\./, ''))
    .filter(Boolean);
}

function extensionOf(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return dot > 0 ? fileName.slice(dot + 1).toLowerCase() : '';
}

/**
 * Why a file cannot be sent under the limits, in the server's words (the API refuses the same
 * file with the same reason), or null when it may go.
 */
export function attachmentRefusal(file: File, limits: AttachmentLimits): string | null {
  const extension = extensionOf(file.name);
  if (!allowedExtensions(limits).includes(extension)) {
    return extension
      ? `files of type .${extension} are not accepted`
      : 'files without an extension are not accepted';
  }
  if (file.size > limits.maxFileBytes) {
    return `each file must be at most ${formatLimitBytes(limits.maxFileBytes)}`;
  }
  return null;
}

/** One line saying what may be attached: "Up to 5 files, at most 10 MB each: pdf, png, …". */
export function describeLimits(limits: AttachmentLimits): string {
  const files = limits.maxFiles === 1 ? '1 file' : `${limits.maxFiles} files`;
  return `Up to ${files}, at most ${formatLimitBytes(limits.maxFileBytes)} each. Accepted types: ${allowedExtensions(limits).join(', ')}.`;
}

/**
 * Files chosen for a ticket post: "Add files" (several at once, again to add more), each chosen
 * file with its size and a button to remove it, and the limits. When the limits are known, a
 * file they refuse is never added: it is named with the reason instead, so nobody waits for
 * an upload the server would refuse. `error` is the server's refusal of the `attachments` field.
 */
export function AttachmentPicker({
  files,
  onChange,
  limits,
  error,
  disabled = false,
  label = 'Attachments',
}: {
  files: File[];
  onChange: (files: File[]) => void;
  limits: AttachmentLimits | null;
  error?: string | null;
  disabled?: boolean;
  label?: string;
}) {
  const [refused, setRefused] = useState<string[]>([]);
  const labelId = useId();

  const add = (chosen: File[]) => {
    const accepted: File[] = [];
    const refusals: string[] = [];
    for (const file of chosen) {
      const reason = limits ? attachmentRefusal(file, limits) : null;
      if (reason) refusals.push(`${file.name}: ${reason}`);
      else accepted.push(file);
    }
    let next = [...files, ...accepted];
    if (limits && next.length > limits.maxFiles) {
      for (const file of next.slice(limits.maxFiles)) {
        refusals.push(`${file.name}: at most ${limits.maxFiles} files`);
      }
      next = next.slice(0, limits.maxFiles);
    }
    setRefused(refusals);
    onChange(next);
  };

  const messages = [...refused, ...(error ? [error] : [])];
  return (
    <Stack gap={6} role="group" aria-labelledby={labelId}>
      <Text id={labelId} size="sm" fw={500}>
        {label}
      </Text>
      {files.length > 0 && (
        <List spacing={4} listStyleType="none" aria-label="Chosen files">
          {files.map((file, index) => (
            <List.Item key={`${file.name}-${index}`}>
              <Group gap="xs" wrap="nowrap">
                <IconPaperclip size={14} aria-hidden />
                <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
                  {file.name}
                </Text>
                <Text size="sm" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
                  {formatBytes(file.size)}
                </Text>
                <ActionIcon
                  variant="subtle"
                  color="gray"
                  size="sm"
                  aria-label={`Remove ${file.name}`}
                  disabled={disabled}
                  onClick={() => {
                    setRefused([]);
                    onChange(files.filter((_, i) => i !== index));
                  }}
                >
                  <IconX size={14} />
                </ActionIcon>
              </Group>
            </List.Item>
          ))}
        </List>
      )}
      <Group gap="sm" align="center">
        <FileButton onChange={add} multiple disabled={disabled}>
          {(props) => (
            <Button
              {...props}
              variant="default"
              size="sm"
              leftSection={<IconPaperclip size={16} />}
            >
              Add files
            </Button>
          )}
        </FileButton>
        {limits && (
          <Text size="xs" c="dimmed">
            {describeLimits(limits)}
          </Text>
        )}
      </Group>
      {messages.length > 0 && (
        <Stack gap={2} role="alert">
          {messages.map((message) => (
            <Text key={message} size="sm" c="red.8" style={{ overflowWrap: 'anywhere' }}>
              {message}
            </Text>
          ))}
        </Stack>
      )}
    </Stack>
  );
}

/** The files and text fields of a multipart post: each file as `attachments`. */
export function ticketFormData(fields: Record<string, string | undefined>, files: File[]) {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    if (value !== undefined) data.append(name, value);
  }
  for (const file of files) data.append('attachments', file, file.name);
  return data;
}
