/**
 * Returns a function that blanks out the given secrets, as written and as SMTP AUTH sends them
 * (base64 for LOGIN, and the "\0user\0password" token for PLAIN), so no server reply or error text
 * that echoes them can carry them into a send result, a log or a report.
 */
export function redactor(user: string | undefined, password: string | undefined): (text: string) => string {
  const secrets = new Set<string>();
  const base64 = (value: string): string => Buffer.from(value, "utf8").toString("base64");
  for (const secret of [user, password]) {
    if (secret) secrets.add(secret).add(base64(secret));
  }
  if (user && password) secrets.add(base64(`\u0000${user}\u0000${password}`));
  // Longest first, so a secret that contains another is blanked whole.
  const ordered = [...secrets].sort((a, b) => b.length - a.length);
  return (text) => ordered.reduce((out, secret) => out.split(secret).join("[redacted]"), text);
}
