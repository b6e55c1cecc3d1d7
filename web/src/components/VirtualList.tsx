// A list that renders only the rows in view (plus a few), so 100,000 rows scroll as fast as
// 100. Rows have a fixed height. `onNearEnd` asks for the next page when the view nears the end.
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";

export function VirtualList<T>(props: {
  items: T[];
  rowHeight: number;
  height: number;
  row: (item: T, index: number) => ComponentChildren;
  onNearEnd?: () => void;
  label: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const [top, setTop] = useState(0);
  const overscan = 8;
  const first = Math.max(0, Math.floor(top / props.rowHeight) - overscan);
  const count = Math.ceil(props.height / props.rowHeight) + 2 * overscan;
  const last = Math.min(props.items.length, first + count);

  useEffect(() => {
    if (props.onNearEnd && last >= props.items.length - overscan) props.onNearEnd();
  }, [last, props.items.length]);

  return (
    <div
      ref={box}
      class="vlist"
      style={{ height: `${props.height}px` }}
      onScroll={(e) => setTop((e.currentTarget as HTMLDivElement).scrollTop)}
      role="rowgroup"
      aria-label={props.label}
      tabIndex={0}
    >
      <div style={{ height: `${props.items.length * props.rowHeight}px`, position: "relative" }}>
        <div style={{ position: "absolute", top: `${first * props.rowHeight}px`, left: 0, right: 0 }}>
          {props.items.slice(first, last).map((item, i) => props.row(item, first + i))}
        </div>
      </div>
    </div>
  );
}
