// A state as a coloured badge; the colour comes from the state's class (style.css), and the text
// always says the state too, so colour is never the only signal.
export function State({ state }: { state: string }) {
  return <span class={`badge state-${state}`}>{state}</span>;
}

export function Dot({ state, title }: { state: string; title?: string }) {
  return <span class={`dot state-${state}`} title={title ?? state} aria-label={title ?? state} />;
}
