import { randomBytes } from 'node:crypto';
import zlib from 'node:zlib';
import { createCanvas } from '@napi-rs/canvas';
import sharp from 'sharp';

/**
 * Small, fast fixtures for OCR tests, made on the spot: pictures of text drawn with the system's fonts,
 * image-only ("scanned") and mixed PDFs, a password-protected PDF, a multi-frame TIFF and a PNG whose
 * header claims 20,000 × 20,000 pixels.
 */

export interface TextPageOptions {
  width?: number;
  fontPx?: number;
  /** Clockwise quarter turns applied after drawing: a page scanned sideways. */
  rotate?: 0 | 90 | 180 | 270;
  format?: 'png' | 'jpeg' | 'webp' | 'tiff';
}

/** A white page with these lines of black text, as an encoded picture. */
export async function textPage(lines: readonly string[], options: TextPageOptions = {}): Promise<Buffer> {
  const fontPx = options.fontPx ?? 32;
  const width = options.width ?? 900;
  const height = Math.round(fontPx * 1.6 * lines.length + fontPx * 2);
  const canvas = createCanvas(width, height);
  const context = canvas.getContext('2d');
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, width, height);
  context.fillStyle = '#000000';
  context.font = `${fontPx}px sans-serif`;
  lines.forEach((line, i) => context.fillText(line, fontPx, fontPx * 1.5 + i * fontPx * 1.6));
  const png = await canvas.encode('png');
  return sharp(png)
    .rotate(options.rotate ?? 0)
    .toFormat(options.format ?? 'png')
    .toBuffer();
}

/** A plain white picture: nothing to read. */
export function blankPage(width = 600, height = 400, format: 'png' | 'jpeg' = 'png'): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: '#ffffff' } }).toFormat(format).toBuffer();
}

/** A JPEG cut off in the middle of its picture data. */
export async function corruptJpeg(): Promise<Buffer> {
  const jpeg = await textPage(['This photo was cut short'], { format: 'jpeg' });
  return jpeg.subarray(0, Math.floor(jpeg.length * 0.6));
}

function crc32(bytes: Buffer): number {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), 8 + data.length);
  return out;
}

/**
 * A real, valid PNG of `size` × `size` white pixels (1-bit grayscale, so it compresses to a few hundred KB):
 * decoded, it would need `size²` bytes or more.
 */
export function hugeBlankPng(size = 20_000): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 1; // bit depth
  header[9] = 0; // grayscale
  const row = Buffer.alloc(1 + Math.ceil(size / 8), 0xff);
  row[0] = 0; // filter: none
  const deflate = zlib.deflateSync(Buffer.concat(Array.from({ length: size }, () => row)), { level: 9 });
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', header), pngChunk('IDAT', deflate), pngChunk('IEND', Buffer.alloc(0))]);
}

/**
 * A baseline TIFF with `frames` pages of 8-bit grayscale, uncompressed. The first page is `first` (raw
 * gray pixels); every other page shares one blank strip, so 500 frames stay small.
 */
export function multiFrameTiff(first: { width: number; height: number; data: Buffer }, frames: number): Buffer {
  const blank = Buffer.alloc(first.width * first.height, 0xff);
  const entries = 9;
  const ifdSize = 2 + entries * 12 + 4;
  const dataStart = 8;
  const blankAt = dataStart + first.data.length;
  const ifdStart = blankAt + blank.length;
  const out = Buffer.alloc(ifdStart + frames * ifdSize);
  out.write('II', 0, 'ascii');
  out.writeUInt16LE(42, 2);
  out.writeUInt32LE(ifdStart, 4);
  first.data.copy(out, dataStart);
  blank.copy(out, blankAt);
  for (let frame = 0; frame < frames; frame++) {
    let at = ifdStart + frame * ifdSize;
    out.writeUInt16LE(entries, at);
    at += 2;
    const entry = (tag: number, type: number, value: number) => {
      out.writeUInt16LE(tag, at);
      out.writeUInt16LE(type, at + 2);
      out.writeUInt32LE(1, at + 4);
      if (type === 3) out.writeUInt16LE(value, at + 8);
      else out.writeUInt32LE(value, at + 8);
      at += 12;
    };
    entry(256, 4, first.width); // ImageWidth
    entry(257, 4, first.height); // ImageLength
    entry(258, 3, 8); // BitsPerSample
    entry(259, 3, 1); // Compression: none
    entry(262, 3, 1); // Photometric: black is zero
    entry(273, 4, frame === 0 ? dataStart : blankAt); // StripOffsets
    entry(277, 3, 1); // SamplesPerPixel
    entry(278, 4, first.height); // RowsPerStrip
    entry(279, 4, first.data.length); // StripByteCounts
    out.writeUInt32LE(frame + 1 < frames ? ifdStart + (frame + 1) * ifdSize : 0, at);
  }
  return out;
}

/** Raw 8-bit gray pixels of a picture (for {@link multiFrameTiff}). */
export async function grayPixels(picture: Buffer): Promise<{ width: number; height: number; data: Buffer }> {
  const { data, info } = await sharp(picture).grayscale().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data };
}

export type PdfPage = { jpeg: Buffer; width: number; height: number } | { text: string };

/**
 * A PDF whose pages are scanned pictures (a JPEG filling the page, no text layer) or lines of real text in
 * Helvetica. With `password`, the document is encrypted with a user password pdf.js cannot guess: it
 * refuses to open it, as for any password-protected scan.
 */
export function makePdf(pages: readonly PdfPage[], options: { password?: boolean } = {}): Buffer {
  const objects: Buffer[] = [];
  const add = (body: Buffer | string) => {
    objects.push(typeof body === 'string' ? Buffer.from(body, 'latin1') : body);
    return objects.length;
  };
  const stream = (dict: string, data: Buffer) => Buffer.concat([Buffer.from(`<< ${dict} /Length ${data.length} >>\nstream\n`, 'latin1'), data, Buffer.from('\nendstream', 'latin1')]);
  const catalog = add('');
  const pagesObject = add('');
  const font = add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>');
  const kids: number[] = [];
  for (const page of pages) {
    if ('jpeg' in page) {
      const image = add(stream(`/Type /XObject /Subtype /Image /Width ${page.width} /Height ${page.height} /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode`, page.jpeg));
      // The page is the picture's size at 150 dpi, as a scanner makes it.
      const [w, h] = [Math.round((page.width * 72) / 150), Math.round((page.height * 72) / 150)];
      const content = add(stream('', Buffer.from(`q ${w} 0 0 ${h} 0 0 cm /Im0 Do Q`, 'latin1')));
      kids.push(add(`<< /Type /Page /Parent ${pagesObject} 0 R /MediaBox [0 0 ${w} ${h}] /Resources << /XObject << /Im0 ${image} 0 R >> >> /Contents ${content} 0 R >>`));
    } else {
      const escaped = page.text.replace(/[\\()]/g, (c) => `\\${c}`);
      const content = add(stream('', Buffer.from(`BT /F1 14 Tf 72 720 Td (${escaped}) Tj ET`, 'latin1')));
      kids.push(add(`<< /Type /Page /Parent ${pagesObject} 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 ${font} 0 R >> >> /Contents ${content} 0 R >>`));
    }
  }
  objects[catalog - 1] = Buffer.from(`<< /Type /Catalog /Pages ${pagesObject} 0 R >>`, 'latin1');
  objects[pagesObject - 1] = Buffer.from(`<< /Type /Pages /Kids [${kids.map((k) => `${k} 0 R`).join(' ')}] /Count ${kids.length} >>`, 'latin1');
  const id = randomBytes(16).toString('hex');
  let encrypt = '';
  if (options.password) {
    const hex = () => randomBytes(32).toString('hex');
    encrypt = ` /Encrypt ${add(`<< /Filter /Standard /V 1 /R 2 /O <${hex()}> /U <${hex()}> /P -4 >>`)} 0 R`;
  }
  const parts: Buffer[] = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  const offsets: number[] = [];
  let length = parts[0]!.length;
  objects.forEach((body, i) => {
    offsets.push(length);
    const object = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`, 'latin1'), body, Buffer.from('\nendobj\n', 'latin1')]);
    parts.push(object);
    length += object.length;
  });
  const xref = [`xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`, ...offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`)].join('');
  parts.push(Buffer.from(`${xref}trailer\n<< /Size ${objects.length + 1} /Root ${catalog} 0 R /ID [<${id}> <${id}>]${encrypt} >>\nstartxref\n${length}\n%%EOF\n`, 'latin1'));
  return Buffer.concat(parts);
}

/** A scanned page for {@link makePdf}: lines of text drawn, turned into a grayscale JPEG. */
export async function scannedPage(lines: readonly string[], options: TextPageOptions = {}): Promise<PdfPage> {
  const picture = await textPage(lines, options);
  const { data, info } = await sharp(picture).grayscale().jpeg({ quality: 85 }).toBuffer({ resolveWithObject: true });
  return { jpeg: data, width: info.width, height: info.height };
}
