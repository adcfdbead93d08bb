/*
 * What Patron's HTML reports (dry run, report) share: escaping, and the page around their sections.
 * Each report is one self-contained file: no scripts, no network, styles inline.
 */

export const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string);

const BASE_STYLE = `body{font:15px/1.5 system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;margin:0;background:#f5f5f7;color:#1d1d1f}
header{background:#1d1d1f;color:#fff;padding:20px 32px}header h1{margin:0;font-size:22px}header p{margin:4px 0 0;color:#bbb}
main{max-width:1080px;margin:0 auto;padding:24px}
section{background:#fff;border-radius:12px;padding:20px 24px;margin-bottom:24px;box-shadow:0 1px 3px rgba(0,0,0,.08)}`;

/** The whole page: a dark header with the title and a subtitle, then the sections (HTML). */
export function htmlPage(title: string, subtitle: string, style: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
${BASE_STYLE}
${style}
</style></head>
<body><header><h1>${esc(title)}</h1><p>${esc(subtitle)}</p></header>
<main>
${body}
</main></body></html>
`;
}
