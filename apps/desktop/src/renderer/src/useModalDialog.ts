import { type KeyboardEvent, type RefObject, useEffect, useLayoutEffect, useRef } from 'react';

/**
 * A modal <dialog> bound to `open`: shown with showModal (the page behind is inert, so focus stays inside),
 * `initialFocus` focused on opening; Escape calls `close` without reaching the window's own Escape (stop
 * the reply); on closing, focus returns to what opened it, else to `fallbackFocusId`.
 */
export function useModalDialog(open: boolean, close: () => void, initialFocus: RefObject<HTMLElement | null>, fallbackFocusId?: string) {
  const dialog = useRef<HTMLDialogElement>(null);
  const opener = useRef<HTMLElement | null>(null);
  /** Focus is handed back only after the dialog was open: on mount it stays where the page put it (the message box). */
  const wasOpen = useRef(false);

  useLayoutEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) {
      opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      element.showModal();
      initialFocus.current?.focus();
    } else if (!open && element.open) {
      element.close();
    }
  }, [open, initialFocus]);

  useEffect(() => {
    if (open) {
      wasOpen.current = true;
      return;
    }
    if (!wasOpen.current) return;
    wasOpen.current = false;
    const target = opener.current ?? (fallbackFocusId ? document.getElementById(fallbackFocusId) : null);
    opener.current = null;
    if (target?.isConnected) target.focus();
  }, [open, fallbackFocusId]);

  const onKeyDown = (event: KeyboardEvent<HTMLDialogElement>) => {
    if (event.key !== 'Escape') return;
    event.preventDefault();
    event.stopPropagation();
    close();
  };

  return { dialog, onKeyDown };
}
