/** The store's place in messages and logs. */
/** Where the store is, for messages: host, port and database, never the password. */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `postgres://${parsed.username ? `${decodeURIComponent(parsed.username)}@` : ''}${parsed.host}${parsed.pathname}`;
  } catch {
    return 'the PostgreSQL database (its URL does not parse)';
  }
}
