import type { SpanKind } from '@tracewire/core';

/**
 * Attribute names for tracewire fields that OTLP has no field for. OpenTelemetry
 * semantic-convention names where one exists, `tracewire.*` otherwise; `toOtlp*`
 * writes them and `fromOtlpTraces` reads them back.
 */
export const KEYS = {
  spanKind: 'tracewire.span.kind',
  status: 'tracewire.status',
  tags: 'tracewire.tags',
  input: 'tracewire.input',
  output: 'tracewire.output',
  cost: 'tracewire.llm.cost',
  totalTokens: 'tracewire.llm.total_tokens',
  signalPrefix: 'tracewire.signal.',
  sessionId: 'session.id',
  userId: 'user.id',
  referenceId: 'tracewire.reference_id',
  traceTags: 'tracewire.trace.tags',
  traceName: 'tracewire.trace.name',
  traceStatus: 'tracewire.trace.status',
  droppedPrefix: 'tracewire.trace.dropped.',
  logType: 'tracewire.log.type',
  eventName: 'event.name',
  genAiModel: 'gen_ai.request.model',
  genAiProvider: 'gen_ai.provider.name',
  /** Superseded by gen_ai.provider.name in semconv 1.37; many backends still read it. */
  genAiSystem: 'gen_ai.system',
  genAiOperation: 'gen_ai.operation.name',
  genAiInputTokens: 'gen_ai.usage.input_tokens',
  genAiOutputTokens: 'gen_ai.usage.output_tokens',
  exceptionMessage: 'exception.message',
  exceptionType: 'exception.type',
  exceptionStacktrace: 'exception.stacktrace',
} as const;

/** The event name semantic conventions give a recorded exception. */
export const EXCEPTION_EVENT = 'exception';

/** W3C trace-flags "sampled": everything tracewire exports was sampled. */
export const FLAG_SAMPLED = 0x01;
/** OTLP SpanFlags: bit 8 says bit 9 is meaningful; bit 9 says the parent is remote. */
export const FLAG_HAS_IS_REMOTE = 0x100;
export const FLAG_IS_REMOTE = 0x200;

/** gen_ai.operation.name for span kinds that are GenAI operations by definition. */
export const DEFAULT_GEN_AI_OPERATION: Partial<Record<SpanKind, string>> = {
  llm: 'chat',
  embedding: 'embeddings',
  tool: 'execute_tool',
  agent: 'invoke_agent',
};
