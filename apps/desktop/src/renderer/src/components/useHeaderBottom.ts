import { useLayoutEffect, useState } from 'react';

/**
 * Where the main header ends, in pixels from the top of the window, kept current as the header grows or
 * shrinks. The documents drawer of a narrow window starts there, so it never covers the header's buttons.
 */
export function useHeaderBottom(): number {
  const [bottom, setBottom] = useState(0);
  useLayoutEffect(() => {
    const header = document.querySelector('.main-header');
    if (!header) return;
    const measure = () => setBottom(Math.round(header.getBoundingClientRect().bottom));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(header);
    window.addEventListener('resize', measure);
    return () => {
      observer.disconnect();
      window.removeEventListener('resize', measure);
    };
  }, []);
  return bottom;
}
