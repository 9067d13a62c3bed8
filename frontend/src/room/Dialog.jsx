// A modal dialog on the native <dialog> element (focus trap, Escape, inert background for free).
import { useEffect, useRef } from 'react';

export function Dialog({ open, title, children, onClose, id, className = '' }) {
  const ref = useRef(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      id={id}
      className={`dialog ${className}`}
      aria-labelledby={id ? `${id}-title` : undefined}
      onClose={() => onClose?.()}
      onCancel={() => onClose?.()}
    >
      <h2 id={id ? `${id}-title` : undefined}>{title}</h2>
      {open && children}
    </dialog>
  );
}
