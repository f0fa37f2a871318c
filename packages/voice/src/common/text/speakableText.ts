/**
 * What a sentence sounds like: citation markers ("[1]"), URLs, markdown emphasis, code ticks, heading
 * and list markers removed, so the voice does not read out "asterisk asterisk" or a link.
 */
export function speakableText(sentence: string): string {
  return sentence
    .replace(/\s*\[\d+(?:\s*[,–-]\s*\d+)*\]/g, '')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<?\b(?:https?:\/\/|www\.)[^\s<>]*[^\s<>.,;:!?)\]]>?/gi, '')
    .replace(/```[a-z]*|`/gi, '')
    .replace(/^\s*(?:#{1,6}|>+|[-*+•]|\d+[.)])\s+/, '')
    .replace(/(\*\*|__|~~|\*)(?=\S)([^]*?\S)\1/g, '$2')
    .replace(/(^|[^\w])_(?=\S)([^]*?\S)_(?!\w)/g, '$1$2')
    .replace(/\s+([.,;:!?…])/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}
