import { fileURLToPath } from "node:url";

/** Absolute path of patron.schema.json (for `$schema` comments that tools write, say). */
export const SCHEMA_FILE: string = fileURLToPath(new URL("../schema/patron.schema.json", import.meta.url));
