/** "300 MB", "12 KB", "80 bytes". */
export function formatSize(bytes: number): string {
  const MB = 1024 * 1024;
  if (bytes >= MB) return `${bytes >= 10 * MB ? Math.round(bytes / MB) : Math.round((bytes / MB) * 10) / 10} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}

/** The one wording of the size limit, wherever a file meets it (a path, an upload, the parser). */
export function sizeLimitReason(name: string, sizeBytes: number, maxBytes: number): string {
  return `${name} is ${formatSize(sizeBytes)}, over the ${formatSize(maxBytes)} limit set in Settings.`;
}
