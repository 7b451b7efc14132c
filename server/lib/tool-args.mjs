// Tool-call arguments generated from the tool's JSON schema, deterministically, and split
// into fragments the way providers stream them.

const SAMPLE_STRINGS = [
  'Paris',
  'café crème',
  'llmstream',
  'São Paulo',
  'say "hello"',
  'two\nlines',
  'Zürich 🚀',
];

// Small string hash (FNV-1a) so a property name always picks the same sample value.
function hash(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** The arguments object for a tool whose parameters are described by `schema`. */
export function argumentsFor(schema) {
  const value = valueFor(schema, 'arguments', 0);
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : {};
}

function valueFor(schema, name, depth) {
  if (!schema || typeof schema !== 'object' || depth > 6) return null;
  if ('const' in schema) return schema.const;
  if (schema.default !== undefined) return schema.default;
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[0];
  const options = schema.anyOf ?? schema.oneOf ?? schema.allOf;
  if (Array.isArray(options) && options.length) {
    const first = options.find((o) => o && o.type !== 'null') ?? options[0];
    return valueFor(first, name, depth + 1);
  }
  let type = schema.type;
  if (Array.isArray(type)) type = type.find((t) => t !== 'null') ?? 'null';
  if (type === undefined) type = schema.properties ? 'object' : schema.items ? 'array' : 'string';
  const h = hash(name);
  switch (type) {
    case 'object': {
      const out = {};
      for (const [key, sub] of Object.entries(schema.properties ?? {})) {
        out[key] = valueFor(sub, key, depth + 1);
      }
      return out;
    }
    case 'array': {
      const count = Math.max(schema.minItems ?? 0, Math.min(2, schema.maxItems ?? 2));
      return Array.from({ length: count }, (_, i) =>
        valueFor(schema.items, `${name}${i}`, depth + 1),
      );
    }
    case 'integer':
    case 'number': {
      // exclusiveMinimum/Maximum are numbers in JSON Schema 2020-12 (booleans in draft 4).
      const isNum = (v) => typeof v === 'number';
      const min = isNum(schema.minimum)
        ? schema.minimum
        : isNum(schema.exclusiveMinimum)
          ? Math.floor(schema.exclusiveMinimum) + 1
          : 0;
      const max = isNum(schema.maximum) ? schema.maximum : min + 100;
      const n = Math.ceil(min) + (h % Math.max(1, Math.floor(max - min)));
      return type === 'integer' ? n : n + 0.5;
    }
    case 'boolean':
      return h % 2 === 0;
    case 'null':
      return null;
    default:
      return stringFor(schema, h);
  }
}

function stringFor(schema, h) {
  switch (schema.format) {
    case 'date-time':
      return '2025-01-02T03:04:05Z';
    case 'date':
      return '2025-01-02';
    case 'email':
      return 'user@example.com';
    case 'uri':
    case 'url':
      return 'https://example.com/llmstream';
    default:
      return SAMPLE_STRINGS[h % SAMPLE_STRINGS.length];
  }
}

// Runs of word characters, of whitespace, or of punctuation: `{"city":"Paris"}` becomes
// `{"`, `city`, `":"`, `Paris`, `"}` like OpenAI's tokenizer-sized argument fragments.
const FRAGMENT_RE = /[\p{L}\p{N}_]+|\s+|[^\p{L}\p{N}_\s]+/gu;

/** OpenAI-style (Chat and Responses) fragments: roughly one token each. */
export function openaiFragments(json) {
  return json.match(FRAGMENT_RE) ?? [];
}

/**
 * Anthropic-style partial_json fragments: an empty first fragment (as the API sends), then
 * pieces of about three tokens, which therefore end in the middle of keys and strings.
 */
export function anthropicFragments(json) {
  const small = openaiFragments(json);
  const out = [''];
  for (let i = 0; i < small.length; i += 3) out.push(small.slice(i, i + 3).join(''));
  return out;
}
