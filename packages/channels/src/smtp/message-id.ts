import { createHash } from "node:crypto";

/**
 * The Message-ID of a message, derived from its idempotency key alone: a resend of the same message
 * (after a timeout or a crash left its outcome unknown) carries the same Message-ID, so receiving
 * systems and mail clients can recognise and drop the copy. 32 hex characters of SHA-256 keep keys
 * (which hold member ids) out of the header while staying unique in practice.
 */
export function smtpMessageId(key: string, senderDomain: string): string {
  const digest = createHash("sha256").update(key, "utf8").digest("hex").slice(0, 32);
  return `<${digest}.patron@${senderDomain}>`;
}
