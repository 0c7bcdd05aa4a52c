import type { DroppedCounts, LogData, TraceData } from '@tracewire/core';
import type { AssembledSpan, AssembledTrace, LlmTotals } from '../types';

export interface AssemblyInput {
  id: string;
  /** Each service's exported trace for this id, in arrival order. */
  parts: readonly TraceData[];
  /** Correlated logs that arrived on their own (OTLP logs, or standalone batches). */
  looseLogs: readonly LogData[];
  receivedAt: number;
  updatedAt: number;
  finished: boolean;
}

/**
 * Merges every part of a distributed trace into one. A downstream service's
 * root span names the caller's client span as its parent, so once all parts
 * are in, exactly one span has no parent in the set: the true root. Until
 * then (parts arrive in any order) the earliest parentless span stands in,
 * and spans whose parent has not arrived yet hang under it.
 */
export function assemble(input: AssemblyInput): AssembledTrace {
  const byId = new Map<string, AssembledSpan>();
  const partOf = new Map<string, TraceData>();
  for (const part of input.parts) {
    for (const span of part.spans) {
      // A span sent twice (a retried OTLP batch) keeps its latest copy.
      byId.set(span.spanId, {
        ...span,
        traceId: input.id,
        serviceName: part.serviceName,
        attributes: { ...span.attributes, 'service.name': part.serviceName },
      });
      partOf.set(span.spanId, part);
    }
  }

  const spans = [...byId.values()];
  const isOrphan = (s: AssembledSpan) => s.parentId === null || !byId.has(s.parentId);
  const orphans = spans.filter(isOrphan);
  // No orphan means a parent cycle in broken data; any span will do as root then.
  const root =
    orphans.reduce<AssembledSpan | undefined>((best, s) => {
      if (!best) return s;
      if ((s.parentId === null) !== (best.parentId === null)) return s.parentId === null ? s : best;
      return s.startTime < best.startTime ? s : best;
    }, undefined) ?? spans[0]!;
  const rootPart = partOf.get(root.spanId) ?? input.parts[0]!;

  const ordered = treeOrder(spans, root, byId);
  let startTime = Number.POSITIVE_INFINITY;
  let endTime = Number.NEGATIVE_INFINITY;
  let errorCount = 0;
  const serviceStart = new Map<string, number>();
  for (const span of ordered) {
    startTime = Math.min(startTime, span.startTime);
    endTime = Math.max(endTime, span.endTime);
    if (span.status === 'error') errorCount++;
    const first = serviceStart.get(span.serviceName);
    if (first === undefined || span.startTime < first)
      serviceStart.set(span.serviceName, span.startTime);
  }
  const services = [...serviceStart.keys()].sort((a, b) => {
    if (a === root.serviceName) return -1;
    if (b === root.serviceName) return 1;
    return serviceStart.get(a)! - serviceStart.get(b)!;
  });

  const tags = new Set<string>();
  const dropped: DroppedCounts = {
    spans: 0,
    attributes: 0,
    truncatedAttributes: 0,
    events: 0,
    logs: 0,
    truncatedIo: 0,
  };
  let partErrored = false;
  for (const part of input.parts) {
    for (const tag of part.tags) tags.add(tag);
    for (const key of Object.keys(dropped) as (keyof DroppedCounts)[])
      dropped[key] += part.dropped[key];
    if (part.status === 'error') partErrored = true;
  }
  const logs = [...input.parts.flatMap((p) => p.logs), ...input.looseLogs].sort(
    (a, b) => a.time - b.time,
  );

  const assembled: AssembledTrace = {
    schemaVersion: 1,
    id: input.id,
    // The root part names the trace only when its own root is the true root;
    // otherwise the caller's part has not arrived and the span name is all we know.
    name: rootPart.rootSpanId === root.spanId ? rootPart.name : root.name,
    serviceName: root.serviceName,
    status: errorCount > 0 || partErrored ? 'error' : rootPart.status,
    startTime,
    endTime,
    durationMs: endTime - startTime,
    rootSpanId: root.spanId,
    tags: [...tags],
    attributes: Object.assign({}, ...input.parts.map((p) => p.attributes), rootPart.attributes),
    spans: ordered,
    logs,
    dropped,
    sdk: rootPart.sdk,
    services,
    partCount: input.parts.length,
    errorCount,
    receivedAt: input.receivedAt,
    updatedAt: input.updatedAt,
    finished: input.finished,
  };
  const llm = llmTotals(ordered);
  if (llm) assembled.llm = llm;
  if (root.parentId !== null) assembled.parentSpanId = root.parentId;
  if (rootPart.environment) assembled.environment = rootPart.environment;
  for (const key of ['sessionId', 'userId', 'referenceId'] as const) {
    const value = rootPart[key] ?? input.parts.find((p) => p[key])?.[key];
    if (value) assembled[key] = value;
  }
  return assembled;
}

/** Token and cost sums over the spans that carry LLM fields. */
function llmTotals(spans: readonly AssembledSpan[]): LlmTotals | undefined {
  let totals: LlmTotals | undefined;
  let cost = 0;
  let priced = 0;
  for (const span of spans) {
    const hasCost = typeof span.cost === 'number' && Number.isFinite(span.cost);
    if (!(span.kind === 'llm' || span.model || span.usage || hasCost)) continue;
    totals ??= { calls: 0, inputTokens: 0, outputTokens: 0, totalTokens: 0, unpriced: 0 };
    totals.calls++;
    const usage = span.usage;
    totals.inputTokens += usage?.inputTokens ?? 0;
    totals.outputTokens += usage?.outputTokens ?? 0;
    totals.totalTokens +=
      usage?.totalTokens ?? (usage?.inputTokens ?? 0) + (usage?.outputTokens ?? 0);
    if (hasCost) {
      cost += span.cost!;
      priced++;
    } else totals.unpriced++;
  }
  if (totals && priced > 0) totals.cost = cost;
  return totals;
}

/**
 * Depth-first from the root, children by start time. Spans the walk cannot
 * reach (other orphans, cycles) join the root's children so none is lost.
 */
function treeOrder(
  spans: readonly AssembledSpan[],
  root: AssembledSpan,
  byId: ReadonlyMap<string, AssembledSpan>,
): AssembledSpan[] {
  const children = new Map<string, AssembledSpan[]>();
  const attach = (parentId: string, span: AssembledSpan) => {
    const list = children.get(parentId);
    if (list) list.push(span);
    else children.set(parentId, [span]);
  };
  for (const span of spans) {
    if (span === root) continue;
    const parent = span.parentId === null ? undefined : byId.get(span.parentId);
    attach(parent ? parent.spanId : root.spanId, span);
  }
  const byStart = (a: AssembledSpan, b: AssembledSpan) => a.startTime - b.startTime;
  const out: AssembledSpan[] = [];
  const visited = new Set<string>();
  const walk = (from: AssembledSpan) => {
    const stack = [from];
    while (stack.length > 0) {
      const span = stack.pop()!;
      if (visited.has(span.spanId)) continue;
      visited.add(span.spanId);
      out.push(span);
      const kids = (children.get(span.spanId) ?? []).slice().sort(byStart);
      for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]!);
    }
  };
  walk(root);
  if (out.length < spans.length) {
    const rest = spans.filter((s) => !visited.has(s.spanId)).sort(byStart);
    for (const span of rest) {
      if (!visited.has(span.spanId)) walk(span);
    }
  }
  return out;
}
