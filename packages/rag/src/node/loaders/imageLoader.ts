import sharp from 'sharp';
import { ErrorCode } from '@assistant/core';
import { documentError, reasonOf, throwIfAborted } from './DocumentError.js';
import type { Loader } from './types.js';
import { type GrayImage, maxOcrPixels } from '../ocr/grayImage.js';

/** Pictures larger than this (by their header) are refused before any decoding: 100 megapixels. */
export const maxImagePixels = 100_000_000;

const readable = new Set(['png', 'jpeg', 'tiff', 'webp']);

/**
 * PNG, JPEG, TIFF and WebP pictures of pages, read by OCR (one page per TIFF frame), decoded by sharp
 * (libvips). Each frame's size is checked from its header first: over 100 megapixels it is refused, over
 * 25 megapixels it is scaled down while decoding (libvips shrinks as it reads, so the full-size picture is
 * never in memory). EXIF orientation is applied, transparency is flattened onto white.
 */
export const loadImage: Loader = async ({ bytes, name, signal, ocr }) => {
  throwIfAborted(signal);
  if (!ocr) throw documentError(ErrorCode.DocumentNoText, `${name} is a picture and OCR is turned off in Settings, so it has no text to add.`);
  const header = await metadata(bytes, name, 0);
  if (!header.format || !readable.has(header.format)) {
    throw documentError(ErrorCode.DocumentUnsupported, `${name} is a ${header.format ?? 'kind of'} picture; OCR reads PNG, JPEG, TIFF and WebP.`);
  }
  const frames = Math.max(1, header.pages ?? 1);
  const pageNumbers = Array.from({ length: frames }, (_, i) => i + 1);
  const { pages, skippedPages } = await ocr.readPages(pageNumbers, (page) => decodeFrame(bytes, name, page, frames), signal);
  const sections = [...pages.values()].filter((page) => page.text.trim()).map((page) => ({ text: page.text, page: page.page, heading: null }));
  if (sections.length === 0) {
    throw documentError(ErrorCode.DocumentNoText, `${name}: no text found (OCR read ${pages.size === 1 ? 'the picture' : `${pages.size} pages`} and found no words).`);
  }
  return { format: 'image', title: null, pages: frames, sections, ocr: { pages: [...pages.keys()], skippedPages } };
};

async function metadata(bytes: Buffer, name: string, page: number) {
  try {
    return await sharp(bytes, { page, limitInputPixels: false }).metadata();
  } catch (error) {
    throw documentError(ErrorCode.DocumentInvalid, `${name} is damaged or not a valid picture (${reasonOf(error)}).`, error);
  }
}

async function decodeFrame(bytes: Buffer, name: string, page: number, frames: number): Promise<GrayImage> {
  // This frame's own header: frames of a TIFF may differ in size.
  const header = await metadata(bytes, name, page - 1);
  const width = header.width ?? 0;
  const frameHeight = header.height ?? 0;
  const pixels = width * frameHeight;
  const where = frames > 1 ? `${name} (page ${page})` : name;
  if (pixels > maxImagePixels) {
    throw documentError(
      ErrorCode.DocumentTooLarge,
      `${where} is ${width.toLocaleString('en-US')} × ${frameHeight.toLocaleString('en-US')} pixels (${Math.round(pixels / 1e6)} megapixels); pictures over ${maxImagePixels / 1e6} megapixels are not read. Save or scan it at a lower resolution (300 dpi is plenty for OCR).`,
    );
  }
  const shrink = pixels > maxOcrPixels ? Math.sqrt(maxOcrPixels / pixels) : 1;
  try {
    let pipeline = sharp(bytes, { page: page - 1, pages: 1, limitInputPixels: maxImagePixels, failOn: 'truncated', sequentialRead: true })
      .rotate()
      .flatten({ background: '#ffffff' })
      .grayscale();
    if (shrink < 1) pipeline = pipeline.resize({ width: Math.floor(width * shrink), height: Math.floor(frameHeight * shrink), fit: 'inside' });
    const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 1) throw new Error(`expected one channel, got ${info.channels}`);
    return { width: info.width, height: info.height, data };
  } catch (error) {
    throw documentError(ErrorCode.DocumentInvalid, `${where} is damaged or not a valid picture (${reasonOf(error)}).`, error);
  }
}
