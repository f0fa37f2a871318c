import { useState } from 'react';

/** A shell command shown verbatim, with a Copy button (loopback and Electron are secure contexts). */
export function CommandLine({ command }: { command: string }) {
  const [copied, setCopied] = useState(false);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(command);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      // No clipboard permission: the command is selectable text, so copying by hand still works.
    }
  };

  return (
    <div className="command">
      <code className="command-text">{command}</code>
      <button type="button" className="button button-small" aria-label={`Copy command: ${command}`} onClick={() => void copy()}>
        {copied ? 'Copied' : 'Copy'}
      </button>
    </div>
  );
}
