import { type Baggage, baggageEntryMetadataFromString, propagation } from '@opentelemetry/api';
import type { BaggageEntry } from '@tracewire/core';

/**
 * tracewire's baggage map as an OpenTelemetry `Baggage`. tracewire keeps an
 * entry's properties with their leading `;`, OpenTelemetry without.
 */
export function toOtelBaggage(map: ReadonlyMap<string, BaggageEntry>): Baggage {
  const entries: Record<
    string,
    { value: string; metadata?: ReturnType<typeof baggageEntryMetadataFromString> }
  > = {};
  for (const [key, entry] of map) {
    entries[key] =
      entry.metadata !== undefined
        ? {
            value: entry.value,
            metadata: baggageEntryMetadataFromString(entry.metadata.replace(/^\s*;/, '')),
          }
        : { value: entry.value };
  }
  return propagation.createBaggage(entries);
}

/** An OpenTelemetry `Baggage` as tracewire's baggage map. */
export function fromOtelBaggage(baggage: Baggage): Map<string, BaggageEntry> {
  const map = new Map<string, BaggageEntry>();
  for (const [key, entry] of baggage.getAllEntries()) {
    const metadata = entry.metadata?.toString();
    map.set(
      key,
      metadata ? { value: entry.value, metadata: `;${metadata}` } : { value: entry.value },
    );
  }
  return map;
}
