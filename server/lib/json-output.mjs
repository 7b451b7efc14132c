// JSON output: what a request's body asks for, read the way each wire API spells it
// (docs/wire-formats.md, "JSON output"), so that the plan answers with JSON instead of prose.

/** A schema given as JSON text (Bedrock) or as an object; {} when it is neither. */
function schemaOf(value) {
  if (typeof value === 'string') {
    try {
      return JSON.parse(value);
    } catch {
      return {};
    }
  }
  return value !== null && typeof value === 'object' ? value : {};
}

/**
 * The JSON output a request body asks for: {schema} (json_object: the schema {}), or undefined
 * for plain text. `dialect` is the endpoint's dialect name.
 */
export function jsonOutputOf(dialect, body) {
  switch (dialect) {
    case 'openai-chat':
    case 'azure-openai-chat':
    case 'cohere': {
      const format = body.response_format;
      if (format?.type === 'json_schema') return { schema: schemaOf(format.json_schema?.schema) };
      if (format?.type === 'json_object') return { schema: schemaOf(format.json_schema) };
      return undefined;
    }
    case 'openai-responses': {
      const format = body.text?.format;
      if (format?.type === 'json_schema') return { schema: schemaOf(format.schema) };
      return format?.type === 'json_object' ? { schema: {} } : undefined;
    }
    case 'anthropic-messages': {
      // output_config.format (GA) or the beta's output_format
      const format = body.output_config?.format ?? body.output_format;
      return format?.type === 'json_schema' ? { schema: schemaOf(format.schema) } : undefined;
    }
    case 'gemini': {
      const config = body.generationConfig ?? {};
      if (config.responseMimeType !== 'application/json') return undefined;
      return { schema: schemaOf(config.responseJsonSchema ?? config.responseSchema) };
    }
    case 'ollama':
      if (body.format === 'json') return { schema: {} };
      return body.format && typeof body.format === 'object' ? { schema: body.format } : undefined;
    case 'bedrock': {
      const format = body.outputConfig?.textFormat;
      return format?.type === 'json_schema'
        ? { schema: schemaOf(format.structure?.jsonSchema?.schema) }
        : undefined;
    }
    default:
      return undefined;
  }
}
