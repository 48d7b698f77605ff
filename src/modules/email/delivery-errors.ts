/** What an SMTP failure means for the message, in words a billing clerk understands. */
export interface DeliveryFailure {
  permanent: boolean;
  description: string;
}

interface SmtpError {
  code?: string;
  responseCode?: number;
  response?: string;
  message?: string;
}

export function describeDeliveryError(error: unknown): DeliveryFailure {
  const e = (typeof error === 'object' && error !== null ? error : {}) as SmtpError;
  const technical = (e.response ?? e.message ?? String(error)).trim();
  const status = e.responseCode;
  if (status && status >= 500 && status !== 503) {
    const mailbox = status === 550 || status === 551 || status === 553;
    return {
      permanent: true,
      description: mailbox
        ? `The recipient's mail server refused the address: the mailbox does not exist or does not accept mail (${technical}).`
        : `The mail server refused this message for good (${technical}).`,
    };
  }
  if (status && status >= 400) {
    return {
      permanent: false,
      description: `The mail server asked Portico to try again later (${technical}).`,
    };
  }
  switch (e.code) {
    case 'EENVELOPE':
      return {
        permanent: true,
        description: `The email address is not valid, so the message cannot be sent (${technical}).`,
      };
    case 'EAUTH':
    case 'ENOAUTH':
      return {
        permanent: false,
        description: `The mail server refused Portico's sign-in: check the user and password in SMTP_URL (${technical}).`,
      };
    case 'ETIMEDOUT':
      return {
        permanent: false,
        description: `The mail server did not answer in time (${technical}).`,
      };
    case 'ECONNECTION':
    case 'ESOCKET':
    case 'EDNS':
    case 'ETLS':
    default:
      return {
        permanent: false,
        description: `Portico could not reach the mail server (${technical}).`,
      };
  }
}
