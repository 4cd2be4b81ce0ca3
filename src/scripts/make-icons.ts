// Draws the app icons (a white plan sheet with a check mark on blue) as PNG files in static/icons.
// Run with `npm run icons`; the PNGs are committed, so builds need nothing from here.
import { mkdirSync, writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const BLUE = [0x00, 0x62, 0xba];
const WHITE = [0xff, 0xff, 0xff];
const GREEN = [0x06, 0x7a, 0x3c];

function crc32(buf: Uint8Array): number {
	let c = ~0;
	for (const b of buf) {
		c ^= b;
		for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
	}
	return ~c >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
	const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
	const out = Buffer.alloc(body.length + 8);
	out.writeUInt32BE(data.length, 0);
	body.copy(out, 4);
	out.writeUInt32BE(crc32(body), body.length + 4);
	return out;
}

/** Colour at (x, y) in unit coordinates; `inset` shrinks the artwork for maskable icons. */
function pixel(x: number, y: number, inset: number): number[] {
	const u = (x - 0.5) / (1 - 2 * inset) + 0.5;
	const v = (y - 0.5) / (1 - 2 * inset) + 0.5;
	const onSheet = u > 0.25 && u < 0.75 && v > 0.18 && v < 0.82;
	const dist = (px: number, py: number, ax: number, ay: number, bx: number, by: number) => {
		const t = Math.max(0, Math.min(1, ((px - ax) * (bx - ax) + (py - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)));
		return Math.hypot(px - (ax + t * (bx - ax)), py - (ay + t * (by - ay)));
	};
	const check = Math.min(dist(u, v, 0.36, 0.55, 0.46, 0.66), dist(u, v, 0.46, 0.66, 0.66, 0.4)) < 0.035;
	const line = onSheet && u > 0.33 && u < 0.67 && [0.28, 0.36].some((ly) => Math.abs(v - ly) < 0.015);
	if (check) return GREEN;
	if (line) return BLUE;
	if (onSheet) return WHITE;
	return BLUE;
}

function png(size: number, inset: number): Buffer {
	const raw = Buffer.alloc(size * (size * 3 + 1));
	for (let y = 0; y < size; y++) {
		raw[y * (size * 3 + 1)] = 0;
		for (let x = 0; x < size; x++) {
			const [r, g, b] = pixel((x + 0.5) / size, (y + 0.5) / size, inset);
			raw.set([r ?? 0, g ?? 0, b ?? 0], y * (size * 3 + 1) + 1 + x * 3);
		}
	}
	const header = Buffer.alloc(13);
	header.writeUInt32BE(size, 0);
	header.writeUInt32BE(size, 4);
	header.set([8, 2, 0, 0, 0], 8);
	const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
	return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array())]);
}

const dir = new URL('../../static/icons/', import.meta.url);
mkdirSync(dir, { recursive: true });
writeFileSync(new URL('icon-192.png', dir), png(192, 0));
writeFileSync(new URL('icon-512.png', dir), png(512, 0));
writeFileSync(new URL('icon-maskable-512.png', dir), png(512, 0.1));
console.log('icons written to static/icons');
