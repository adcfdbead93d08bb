import type { ChannelName } from "@patron/channels";
import type { Region } from "@patron/config";

/*
 * The small pages a member sees when they open an unsubscribe link: a confirmation with one
 * button (which POSTs the same one-click body a mail client would), the result, or why the link
 * does not work. In Chinese for a business in China, in English elsewhere.
 */

export type PageKind = "confirm" | "done" | "already" | "invalid" | "malformed";

interface Words {
  readonly channel: Readonly<Record<ChannelName, string>>;
  readonly title: string;
  readonly confirm: (channel: string, business: string) => string;
  readonly button: string;
  readonly done: (channel: string, business: string) => string;
  readonly invalid: string;
  readonly malformed: string;
}

const ENGLISH: Words = {
  channel: { sms: "text messages", email: "emails", wechat: "WeChat messages" },
  title: "Unsubscribe",
  confirm: (channel, business) => `Stop receiving marketing ${channel} from ${business}?`,
  button: "Unsubscribe",
  done: (channel, business) => `You will no longer receive marketing ${channel} from ${business}.`,
  invalid: "This unsubscribe link is not valid. Please use the link from the latest message you received.",
  malformed: "This unsubscribe link is incomplete. Please use the whole link from the message you received.",
};

const CHINESE: Words = {
  channel: { sms: "短信", email: "邮件", wechat: "微信消息" },
  title: "退订",
  confirm: (channel, business) => `确定不再接收${business}的营销${channel}吗？`,
  button: "退订",
  done: (channel, business) => `您已退订，今后不会再收到${business}的营销${channel}。`,
  invalid: "此退订链接无效，请使用您最近收到的消息中的链接。",
  malformed: "此退订链接不完整，请使用消息中的完整链接。",
};

export function unsubscribePageHtml(kind: PageKind, region: Region, business: string, channel?: ChannelName): string {
  const words = region === "cn" ? CHINESE : ENGLISH;
  const what = channel === undefined ? "" : words.channel[channel];
  let body: string;
  switch (kind) {
    case "confirm":
      // No action attribute: the form posts to this very URL, member, channel and token included.
      body = `<p>${escapeHtml(words.confirm(what, business))}</p>
<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">${escapeHtml(words.button)}</button></form>`;
      break;
    case "done":
    case "already":
      body = `<p>${escapeHtml(words.done(what, business))}</p>`;
      break;
    case "invalid":
      body = `<p>${escapeHtml(words.invalid)}</p>`;
      break;
    case "malformed":
      body = `<p>${escapeHtml(words.malformed)}</p>`;
      break;
  }
  return `<!doctype html>
<html lang="${region === "cn" ? "zh-CN" : "en"}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
<title>${escapeHtml(words.title)} · ${escapeHtml(business)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#222}button{font:inherit;padding:.5rem 1.5rem;border:0;border-radius:.25rem;background:#c0392b;color:#fff;cursor:pointer}</style>
</head>
<body>
<h1>${escapeHtml(business)}</h1>
${body}
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
