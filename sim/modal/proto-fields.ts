/**
 * Just enough protobuf for the fake command router, which serves the SDK's own encoded messages
 * without their generated codecs: read the fields of a message, write varint and bytes fields.
 */

export interface ProtoField {
  readonly field: number;
  /** A varint's value, or a length-delimited field's bytes. */
  readonly value: number | Buffer;
}

/** The fields of a message in order (varints and length-delimited; fixed widths skipped). */
export function readProtoFields(buffer: Buffer): ProtoField[] {
  let pos = 0;
  const varint = (): number => {
    let result = 0;
    let scale = 1;
    for (;;) {
      const byte = buffer[pos++];
      if (byte === undefined) throw new Error('truncated varint');
      result += (byte & 0x7f) * scale;
      if (byte < 0x80) return result;
      scale *= 128;
    }
  };
  const fields: ProtoField[] = [];
  while (pos < buffer.length) {
    const tag = varint();
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (wire === 0) fields.push({ field, value: varint() });
    else if (wire === 2) {
      const length = varint();
      fields.push({ field, value: buffer.subarray(pos, pos + length) });
      pos += length;
    } else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else throw new Error(`unsupported wire type ${wire}`);
  }
  return fields;
}

function varintBytes(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

/** A varint field (`int32` non-negative, `uint32`, `uint64`, `bool`). */
export function varintField(field: number, value: number): Buffer {
  return Buffer.from([...varintBytes(field * 8), ...varintBytes(value)]);
}

/** A length-delimited field (`string`, `bytes`). */
export function bytesField(field: number, value: Uint8Array): Buffer {
  return Buffer.concat([
    Buffer.from([...varintBytes(field * 8 + 2), ...varintBytes(value.length)]),
    value,
  ]);
}

/** The first string of a field, or ''. */
export function stringOf(fields: readonly ProtoField[], field: number): string {
  const f = fields.find((x) => x.field === field);
  return Buffer.isBuffer(f?.value) ? f.value.toString('utf8') : '';
}

/** Every string of a repeated field. */
export function stringsOf(fields: readonly ProtoField[], field: number): string[] {
  return fields
    .filter((x) => x.field === field && Buffer.isBuffer(x.value))
    .map((x) => (x.value as Buffer).toString('utf8'));
}

/** The number of a varint field, or 0. */
export function numberOf(fields: readonly ProtoField[], field: number): number {
  const f = fields.find((x) => x.field === field);
  return typeof f?.value === 'number' ? f.value : 0;
}
