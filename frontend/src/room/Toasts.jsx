// Toasts for what a host must act on (knocks, raised hands) and for notices from the server.
// The polite live region announces each one to screen readers.
export function Toasts({ toasts, dismiss, announcement }) {
  return (
    <>
      <div className="toasts" role="region" aria-label="Notifications">
        {toasts.map((toast) => (
          <div key={toast.id} className="toast" data-kind={toast.kind}>
            <p className="toast-text">{toast.text}</p>
            <div className="toast-actions">
              {(toast.actions || []).map((action) => (
                <button
                  key={action.label}
                  type="button"
                  className={`btn btn-small ${action.primary ? 'btn-primary' : ''}`}
                  onClick={() => {
                    action.onClick();
                    dismiss(toast.id);
                  }}
                >
                  {action.label}
                </button>
              ))}
              <button type="button" className="btn btn-small btn-ghost" aria-label="Dismiss" onClick={() => dismiss(toast.id)}>
                ✕
              </button>
            </div>
          </div>
        ))}
      </div>
      <div id="announcer" className="visually-hidden" role="status" aria-live="polite">
        {announcement}
      </div>
    </>
  );
}
