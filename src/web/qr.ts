import { createRequire } from 'node:module';
import type QRCodeGenerator from 'qrcode-generator';

// Loaded on the first QR code drawn (a voucher page), not at start: most requests never draw one.
let qrcode: typeof QRCodeGenerator | undefined;
const load = (): typeof QRCodeGenerator => (qrcode ??= createRequire(import.meta.url)('qrcode-generator') as typeof QRCodeGenerator);

const QUIET_ZONE = 4;

/**
 * A QR code as an inline SVG: one path of dark modules on a white square, with the quiet
 * zone scanners need, sized by CSS. Error correction M survives a scratched phone screen.
 */
export function qrSvg(text: string, label: string): string {
  const qr = load()(0, 'M');
  qr.addData(text, 'Byte');
  qr.make();
  const n = qr.getModuleCount();
  const size = n + QUIET_ZONE * 2;
  let d = '';
  for (let row = 0; row < n; row++) {
    for (let col = 0; col < n; col++) if (qr.isDark(row, col)) d += `M${col + QUIET_ZONE} ${row + QUIET_ZONE}h1v1h-1z`;
  }
  const title = label.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<svg xmlns="http://www.w3.org/2000/svg" class="qr" viewBox="0 0 ${size} ${size}" role="img" aria-label="${title}" shape-rendering="crispEdges"><rect width="${size}" height="${size}" fill="#fff"/><path d="${d}" fill="#000"/></svg>`;
}
