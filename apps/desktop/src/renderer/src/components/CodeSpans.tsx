/**
 * Text with `backticks` shown as code: the one piece of Markdown in help texts and host messages. Every
 * part stays a React text node (escaped); an unpaired backtick is shown as it is.
 */
export function CodeSpans({ text }: { text: string }) {
  const parts = text.split('`');
  const paired = parts.length % 2 === 1;
  return (
    <>
      {parts.map((part, index) => {
        const isCode = index % 2 === 1 && (paired || index < parts.length - 1);
        if (isCode) return <code key={index}>{part}</code>;
        return index % 2 === 1 ? `\`${part}` : part;
      })}
    </>
  );
}
