import sharp from 'sharp';
import { type GrayImage, maxOcrPixels } from './grayImage.js';

/** Long side of a rendered page in pixels: about 300 dpi on A4 or Letter, where Tesseract reads best. */
export const pageLongSidePx = 3000;

interface CanvasLike {
  width: number;
  height: number;
  /** @napi-rs/canvas: the raw RGBA pixels. */
  data(): Uint8Array;
}
interface CanvasFactoryLike {
  create(width: number, height: number): { canvas: CanvasLike; context: { fillStyle: string; fillRect(x: number, y: number, w: number, h: number): void } };
  destroy(entry: { canvas: CanvasLike | null; context: unknown }): void;
}
export interface PdfPageLike {
  getViewport(options: { scale: number }): { width: number; height: number };
  render(options: { canvasContext: unknown; canvas: unknown; viewport: unknown }): { promise: Promise<void>; cancel(): void };
  cleanup(): unknown;
}

/**
 * Renders one PDF page to a grayscale picture for OCR with pdf.js and its Node canvas (@napi-rs/canvas,
 * prebuilt Skia). The scale gives the page's long side {@link pageLongSidePx} pixels whatever its stated
 * size, capped at {@link maxOcrPixels} so a page with a giant media box cannot blow up memory.
 */
export async function renderPdfPage(page: PdfPageLike, canvasFactory: unknown, signal?: AbortSignal): Promise<GrayImage> {
  const factory = canvasFactory as CanvasFactoryLike;
  const unit = page.getViewport({ scale: 1 });
  let scale = pageLongSidePx / Math.max(unit.width, unit.height, 1);
  const pixels = unit.width * unit.height * scale * scale;
  if (pixels > maxOcrPixels) scale *= Math.sqrt(maxOcrPixels / pixels);
  const viewport = page.getViewport({ scale });
  const width = Math.max(1, Math.floor(viewport.width));
  const height = Math.max(1, Math.floor(viewport.height));
  const entry = factory.create(width, height);
  try {
    entry.context.fillStyle = '#ffffff';
    entry.context.fillRect(0, 0, width, height);
    const task = page.render({ canvasContext: entry.context, canvas: entry.canvas, viewport });
    const cancel = () => task.cancel();
    signal?.addEventListener('abort', cancel, { once: true });
    try {
      await task.promise;
    } finally {
      signal?.removeEventListener('abort', cancel);
    }
    const data = await sharp(entry.canvas.data(), { raw: { width, height, channels: 4 } }).grayscale().raw().toBuffer();
    return { width, height, data };
  } finally {
    factory.destroy(entry);
    page.cleanup();
  }
}

/** True when the picture is (almost) all white: nothing for OCR to read. */
export function isBlank(image: GrayImage): boolean {
  const data = image.data;
  // Sample every 7th pixel: a line of text darkens far more than that.
  let dark = 0;
  for (let i = 0; i < data.length; i += 7) if (data[i]! < 160) dark++;
  return dark < 20;
}
