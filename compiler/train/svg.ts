/** A small line chart as SVG: series of (x, y) points on shared axes, with a legend. */
export function lineChart(title: string, xLabel: string, series: { name: string; color: string; points: [number, number][] }[]): string {
  const W = 720, H = 400, L = 60, R = 20, Tp = 40, Bt = 50;
  const all = series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const xs = all.map((p) => p[0]), ys = all.map((p) => p[1]);
  const x0 = Math.min(0, ...xs), x1 = Math.max(1, ...xs);
  const y0 = Math.min(...ys, Infinity) === Infinity ? 0 : Math.min(...ys), y1 = Math.max(...ys, y0 + 1e-9);
  const sx = (x: number) => L + ((x - x0) / (x1 - x0 || 1)) * (W - L - R);
  const sy = (y: number) => H - Bt - ((y - y0) / (y1 - y0 || 1)) * (H - Tp - Bt);
  const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  const ticks = (a: number, b: number, n: number) => Array.from({ length: n + 1 }, (_, i) => a + ((b - a) * i) / n);
  const out: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">${esc(title)}</text>`,
    `<line x1="${L}" y1="${H - Bt}" x2="${W - R}" y2="${H - Bt}" stroke="black"/>`,
    `<line x1="${L}" y1="${Tp}" x2="${L}" y2="${H - Bt}" stroke="black"/>`,
    `<text x="${(L + W - R) / 2}" y="${H - 12}" text-anchor="middle">${esc(xLabel)}</text>`];
  for (const v of ticks(y0, y1, 5)) out.push(`<text x="${L - 6}" y="${sy(v) + 4}" text-anchor="end">${v.toFixed(2)}</text>`, `<line x1="${L}" x2="${W - R}" y1="${sy(v)}" y2="${sy(v)}" stroke="#eee"/>`);
  for (const v of ticks(x0, x1, 5)) out.push(`<text x="${sx(v)}" y="${H - Bt + 16}" text-anchor="middle">${Math.round(v)}</text>`);
  series.forEach((s, i) => {
    const pts = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)).map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(" ");
    if (pts) out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="1.5" points="${pts}"/>`);
    out.push(`<rect x="${W - R - 150}" y="${Tp + 6 + i * 18}" width="12" height="3" fill="${s.color}"/>`, `<text x="${W - R - 132}" y="${Tp + 10 + i * 18}">${esc(s.name)}</text>`);
  });
  out.push("</svg>");
  return out.join("\n") + "\n";
}
