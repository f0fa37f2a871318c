/** An 8-bit grayscale picture, one byte per pixel, row by row: what OCR reads. */
export interface GrayImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/**
 * The picture as a binary PGM file: Leptonica (inside tesseract.js) reads it without decoding work, so a
 * page costs one copy instead of a PNG encode and decode.
 */
export function toPgm(image: GrayImage): Buffer {
  const header = Buffer.from(`P5\n${image.width} ${image.height}\n255\n`, 'ascii');
  return Buffer.concat([header, image.data]);
}

/** The most pixels OCR reads at once (an A4 page at about 500 dpi); larger pictures are refused or scaled down. */
export const maxOcrPixels = 25_000_000;
