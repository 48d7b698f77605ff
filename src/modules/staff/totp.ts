import { generateSecret, generateURI, verify } from 'otplib';
import QRCode from 'qrcode';

/** RFC 6238 as authenticator apps expect it: SHA-1, 6 digits, 30-second steps. */
export const totpPeriodSeconds = 30;
const issuer = 'Portico';

/** A new random secret (20 bytes, the RFC 4226 recommendation), Base32 encoded. */
export function newTotpSecret(): string {
  return generateSecret({ length: 20 });
}

/** The otpauth:// address an authenticator app reads from the QR code. */
export function totpUri(accountEmail: string, secret: string): string {
  return generateURI({ issuer, label: accountEmail, secret });
}

export function totpQrDataUrl(uri: string): Promise<string> {
  return QRCode.toDataURL(uri, { errorCorrectionLevel: 'M', margin: 2, width: 240 });
}

/**
 * The time step a code belongs to, looking one step either side of now for clock drift; null
 * when the code matches none of them. The caller refuses steps already used (replay).
 */
export async function matchTotpCode(secret: string, code: string): Promise<number | null> {
  try {
    const result = await verify({ secret, token: code, epochTolerance: totpPeriodSeconds });
    // The TOTP strategy's result carries the step (the union type also covers HOTP).
    return result.valid && 'timeStep' in result ? result.timeStep : null;
  } catch {
    // A malformed token or secret matches nothing.
    return null;
  }
}
