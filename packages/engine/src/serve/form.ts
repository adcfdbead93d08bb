/** An application/x-www-form-urlencoded body as name → value, or why it is not one Patron accepts. */
export type ParsedForm = { readonly params: Readonly<Record<string, string>> } | { readonly error: string };

/** Webhook forms name each field once; a repeated field is refused rather than guessed at. */
export function parseForm(body: string): ParsedForm {
  const params = Object.create(null) as Record<string, string>;
  for (const [name, value] of new URLSearchParams(body)) {
    if (Object.hasOwn(params, name)) return { error: `${name} is given twice` };
    params[name] = value;
  }
  return { params };
}
