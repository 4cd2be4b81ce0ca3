import { inflateSync } from 'node:zlib';

/**
 * The text of each page of a PDF that Chromium printed (`page.pdf()`), so a test can read the
 * paper as a reader would, page by page. Just enough of PDF for Chromium's (Skia's) output:
 * plain indirect objects, Flate-compressed content streams, Type0 fonts whose glyph ids map to
 * Unicode through a ToUnicode CMap. Text runs on one baseline join as one line.
 */
export function pdfPagesText(pdf: Buffer): string[] {
	const objects = readObjects(pdf);
	const get = (ref: string | undefined): PdfObject => {
		const obj = ref === undefined ? undefined : objects.get(Number(ref));
		if (!obj) throw new Error(`PDF object ${ref} is missing`);
		return obj;
	};
	const root = [...objects.values()].find((o) => /\/Type\s*\/Pages\b/.test(o.dict) && !/\/Parent\b/.test(o.dict));
	if (!root) throw new Error('PDF has no page tree');
	const pages: PdfObject[] = [];
	const walk = (node: PdfObject): void => {
		if (/\/Type\s*\/Page\b/.test(node.dict)) return void pages.push(node);
		const kids = /\/Kids\s*\[([^\]]*)\]/.exec(node.dict)?.[1] ?? '';
		for (const [, ref] of kids.matchAll(/(\d+)\s+0\s+R/g)) walk(get(ref));
	};
	walk(root);
	const cmaps = new Map<number, Map<string, string>>();
	const cmapOf = (fontRef: string): Map<string, string> => {
		const n = Number(fontRef);
		let cmap = cmaps.get(n);
		if (!cmap) {
			const toUnicode = /\/ToUnicode\s+(\d+)\s+0\s+R/.exec(get(fontRef).dict)?.[1];
			cmap = toUnicode ? parseCMap(get(toUnicode).stream ?? '') : new Map();
			cmaps.set(n, cmap);
		}
		return cmap;
	};
	return pages.map((page) => {
		const fonts = new Map<string, string>();
		const fontDict = /\/Font\s*<<([^>]*)>>/.exec(page.dict)?.[1] ?? '';
		for (const [, name, ref] of fontDict.matchAll(/\/(\S+?)\s+(\d+)\s+0\s+R/g)) fonts.set(name!, ref!);
		const contents = /\/Contents\s*(\[[^\]]*\]|\d+\s+0\s+R)/.exec(page.dict)?.[1] ?? '';
		const streams = [...contents.matchAll(/(\d+)\s+0\s+R/g)].map(([, ref]) => get(ref).stream ?? '');
		return readText(streams.join('\n'), (font) => cmapOf(fonts.get(font) ?? '-1'));
	});
}

type PdfObject = { dict: string; stream: string | null };

/** Every `N 0 obj … endobj`, with its stream inflated where it is Flate-compressed. */
function readObjects(pdf: Buffer): Map<number, PdfObject> {
	const text = pdf.toString('latin1');
	const objects = new Map<number, PdfObject>();
	const start = /(\d+)\s+0\s+obj\b/g;
	let match: RegExpExecArray | null;
	while ((match = start.exec(text))) {
		const bodyStart = match.index + match[0].length;
		const streamAt = text.indexOf('stream', bodyStart);
		const endAt = text.indexOf('endobj', bodyStart);
		if (streamAt === -1 || streamAt > endAt) {
			objects.set(Number(match[1]), { dict: text.slice(bodyStart, endAt), stream: null });
			start.lastIndex = endAt;
			continue;
		}
		const dict = text.slice(bodyStart, streamAt);
		if (/\/Type\s*\/ObjStm\b/.test(dict)) throw new Error('PDF uses object streams, which this reader does not handle');
		const dataStart = streamAt + 'stream'.length + (text[streamAt + 6] === '\r' ? 2 : 1);
		const length = /\/Length\s+(\d+)(?!\s+0\s+R)/.exec(dict)?.[1];
		const dataEnd = length ? dataStart + Number(length) : text.indexOf('endstream', dataStart);
		const raw = pdf.subarray(dataStart, dataEnd);
		const stream = /\/FlateDecode\b/.test(dict) ? inflateSync(raw).toString('latin1') : raw.toString('latin1');
		objects.set(Number(match[1]), { dict, stream });
		start.lastIndex = text.indexOf('endobj', dataEnd);
	}
	return objects;
}

const hexToText = (hex: string): string =>
	String.fromCodePoint(...(hex.match(/.{4}/g) ?? []).map((unit) => parseInt(unit, 16)));

/** A ToUnicode CMap as glyph code (hex) → text, from its `bfchar` and `bfrange` sections. */
function parseCMap(cmap: string): Map<string, string> {
	const map = new Map<string, string>();
	for (const [, body] of cmap.matchAll(/beginbfchar([\s\S]*?)endbfchar/g)) {
		for (const [, code, text] of body!.matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>/g)) map.set(code!.toUpperCase(), hexToText(text!));
	}
	for (const [, body] of cmap.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
		for (const [, lo, hi, target] of body!.matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(<[0-9A-Fa-f]+>|\[[^\]]*\])/g)) {
			const from = parseInt(lo!, 16);
			const targets = target!.startsWith('[') ? [...target!.matchAll(/<([0-9A-Fa-f]+)>/g)].map(([, t]) => t!) : null;
			for (let code = from; code <= parseInt(hi!, 16); code++) {
				const key = code.toString(16).toUpperCase().padStart(lo!.length, '0');
				const text = targets ? hexToText(targets[code - from] ?? '') : String.fromCodePoint(parseInt(target!.slice(1, -1), 16) + code - from);
				map.set(key, text);
			}
		}
	}
	return map;
}

/** The text a content stream shows: `Tj`/`TJ` strings decoded with the current font's CMap, a line per baseline. */
function readText(content: string, cmapFor: (font: string) => Map<string, string>): string {
	const lines: string[] = [];
	let cmap = new Map<string, string>();
	let y: string | null = null;
	let line = '';
	const token = /\/([^\s/<>[\]()]+)\s+[\d.]+\s+Tf|[\d.-]+\s+[\d.-]+\s+[\d.-]+\s+[\d.-]+\s+[\d.-]+\s+([\d.-]+)\s+Tm|(<[0-9A-Fa-f]*>)\s*Tj|(\[[^\]]*\])\s*TJ/g;
	for (const [, font, tmY, tj, tjArray] of content.matchAll(token)) {
		if (font) cmap = cmapFor(font);
		else if (tmY !== undefined) {
			if (y !== null && tmY !== y) {
				lines.push(line);
				line = '';
			}
			y = tmY;
		} else {
			for (const [, hex] of (tj ?? tjArray ?? '').matchAll(/<([0-9A-Fa-f]*)>/g)) {
				for (const code of hex!.match(/.{4}/g) ?? []) line += cmap.get(code.toUpperCase()) ?? '\uFFFD';
			}
		}
	}
	lines.push(line);
	return lines.join('\n');
}
