/**
 * IANA time zones, as the running JavaScript engine knows them (Node ships full ICU data).
 *
 * The engine's list of canonical zones is consulted first: the first `new Intl.DateTimeFormat`
 * in a process costs ~20 ms (ICU start-up), a quarter of `patron check`'s budget for loading
 * the configuration. Names not on the list (aliases such as Asia/Calcutta) go to
 * Intl.DateTimeFormat, which accepts every zone the engine can use.
 */

let canonicalByLowerCase: ReadonlyMap<string, string> | undefined;

function zoneIndex(): ReadonlyMap<string, string> {
  canonicalByLowerCase ??= new Map(knownTimeZones().map((zone) => [zone.toLowerCase(), zone]));
  return canonicalByLowerCase;
}

export function isTimeZone(name: string): boolean {
  if (zoneIndex().has(name.toLowerCase())) return true;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/**
 * The listed spelling of a zone written in other case ("asia/shanghai" → "Asia/Shanghai");
 * otherwise the name as written, so an alias stays as the user wrote it.
 */
export function canonicalTimeZone(name: string): string {
  return zoneIndex().get(name.toLowerCase()) ?? name;
}

/** Every canonical zone name, for "did you mean". */
export function knownTimeZones(): readonly string[] {
  return ["UTC", ...Intl.supportedValuesOf("timeZone")];
}
