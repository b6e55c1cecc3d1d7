import { useState } from "preact/hooks";

// A button for an action with a side effect: asks to confirm when `confirm` is given, shows
// that it is busy, and shows the server's error next to it when it fails.
export function Action(props: {
  label: string;
  run: () => Promise<unknown>;
  confirm?: string;
  danger?: boolean;
  onDone?: () => void;
  testId?: string;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const click = async () => {
    if (props.confirm && !window.confirm(props.confirm)) return;
    setBusy(true);
    setError(null);
    try {
      await props.run();
      props.onDone?.();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <span class="action">
      <button
        type="button"
        class={props.danger ? "danger" : ""}
        disabled={busy}
        onClick={click}
        data-testid={props.testId}
      >
        {busy ? `${props.label}…` : props.label}
      </button>
      {error && (
        <span class="error-text" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}
