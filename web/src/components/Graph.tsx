// A pipeline's DAG laid out by dagre, drawn as SVG: one box per step, coloured by its state.
// Boxes are focusable buttons (Enter or a click selects the step).
import dagre from "@dagrejs/dagre";
import { useMemo } from "preact/hooks";
import type { StepSpec } from "../api";

const NODE_W = 150;
const NODE_H = 40;

interface Layout {
  nodes: { name: string; x: number; y: number }[];
  edges: { from: string; to: string; condition: string; points: { x: number; y: number }[] }[];
  width: number;
  height: number;
}

function layOut(steps: StepSpec[]): Layout {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: "LR", nodesep: 18, ranksep: 48, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  const names = new Set(steps.map((s) => s.name));
  for (const s of steps) g.setNode(s.name, { width: NODE_W, height: NODE_H });
  for (const s of steps) {
    for (const d of s.depends_on) if (names.has(d.step)) g.setEdge(d.step, s.name, { condition: d.condition });
  }
  dagre.layout(g);
  const graph = g.graph();
  return {
    nodes: g.nodes().map((n) => ({ name: n, x: g.node(n).x, y: g.node(n).y })),
    edges: g.edges().map((e) => ({
      from: e.v,
      to: e.w,
      condition: (g.edge(e) as any).condition ?? "success",
      points: g.edge(e).points ?? [],
    })),
    width: graph.width ?? 0,
    height: graph.height ?? 0,
  };
}

function edgePath(points: { x: number; y: number }[]): string {
  if (points.length === 0) return "";
  return points.map((p, i) => `${i === 0 ? "M" : "L"}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(" ");
}

export function Graph(props: {
  steps: StepSpec[];
  states: Record<string, string>;
  selected?: string | null;
  onSelect?: (step: string) => void;
}) {
  const layout = useMemo(() => layOut(props.steps), [props.steps]);
  if (props.steps.length === 0) return <p class="muted">No steps.</p>;
  return (
    <div class="graph" role="group" aria-label="Pipeline graph">
      <svg width={layout.width} height={layout.height} viewBox={`0 0 ${layout.width} ${layout.height}`}>
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto">
            <path d="M0,0 L10,5 L0,10 z" class="edge-head" />
          </marker>
        </defs>
        {layout.edges.map((e) => (
          <path
            key={`${e.from}->${e.to}`}
            d={edgePath(e.points)}
            class={`edge edge-${e.condition}`}
            marker-end="url(#arrow)"
          >
            <title>{`${e.from} → ${e.to} (on ${e.condition})`}</title>
          </path>
        ))}
        {layout.nodes.map((n) => {
          const state = props.states[n.name] ?? "NONE";
          const select = () => props.onSelect?.(n.name);
          return (
            <g
              key={n.name}
              class={`node state-${state}${props.selected === n.name ? " selected" : ""}`}
              data-step={n.name}
              data-state={state}
              transform={`translate(${n.x - NODE_W / 2},${n.y - NODE_H / 2})`}
              tabIndex={0}
              role="button"
              aria-label={`${n.name}: ${state}`}
              onClick={select}
              onKeyDown={(e) => {
                if (e.key === "Enter" || e.key === " ") {
                  e.preventDefault();
                  select();
                }
              }}
            >
              <rect width={NODE_W} height={NODE_H} rx="6" />
              <text x="10" y="17" class="node-name">
                {n.name.length > 18 ? n.name.slice(0, 17) + "…" : n.name}
              </text>
              <text x="10" y="32" class="node-state">
                {state === "NONE" ? "" : state}
              </text>
              <title>{`${n.name}: ${state}`}</title>
            </g>
          );
        })}
      </svg>
    </div>
  );
}
