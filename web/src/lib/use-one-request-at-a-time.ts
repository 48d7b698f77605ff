import { useRef } from 'react';

/**
 * A guard for a form that moves money (a refund, a recorded payment, credit applied):
 * `begin()` answers false while the form's last request is still on its way, and `end()` is
 * called when it settles. A double click's second click arrives before the button shows it is
 * busy (the mutation's pending state reaches React a moment later), so a button's `loading`
 * alone lets it through and the money would move twice.
 */
export function useOneRequestAtATime(): { begin: () => boolean; end: () => void } {
  const busy = useRef(false);
  return {
    begin: () => {
      if (busy.current) return false;
      busy.current = true;
      return true;
    },
    end: () => {
      busy.current = false;
    },
  };
}
