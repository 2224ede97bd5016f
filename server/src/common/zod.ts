import { ArgumentMetadata, Body, PipeTransform, Query } from '@nestjs/common';
import { ApiBody, ApiQuery } from '@nestjs/swagger';
import { withSafeText } from '@branchmeet/shared';
import { z, ZodType } from 'zod';

/**
 * Parses a value with its shared zod schema. A failure is thrown as the ZodError itself, its messages not yet
 * rendered: the HTTP filter renders each issue in the request's locale (a 400 with every issue). `reportInput`
 * keeps the input on each issue so zod's "expected …, received …" can be rendered again; it is never sent.
 */
export class ZodPipe<T extends ZodType> implements PipeTransform<unknown, z.infer<T>> {
  /** Every text field refused when it holds NUL or a lone surrogate (shared `withSafeText`), then the schema. */
  private readonly safe: ZodType;
  constructor(private readonly schema: T) {
    this.safe = withSafeText(schema);
  }
  transform(value: unknown, _meta: ArgumentMetadata): z.infer<T> {
    const result = this.safe.safeParse(value ?? {}, { reportInput: true });
    if (!result.success) throw result.error;
    return result.data as z.infer<T>;
  }
}

/** OpenAPI schema of a zod schema (as the request would send it). */
export function openApiSchema(schema: ZodType): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  delete json.$schema;
  return json;
}

/** `@ZodBody(Schema)`: validates the body with the shared schema and documents it in OpenAPI. */
export function ZodBody(schema: ZodType): ParameterDecorator {
  return (target, key, index) => {
    if (key !== undefined) {
      const descriptor = Object.getOwnPropertyDescriptor(target, key);
      if (descriptor) ApiBody({ schema: openApiSchema(schema) })(target, key, descriptor);
    }
    Body(new ZodPipe(schema))(target, key, index);
  };
}

/** `@ZodQuery(Schema)`: validates the query string with the shared schema and documents its fields. */
export function ZodQuery(schema: ZodType): ParameterDecorator {
  return (target, key, index) => {
    if (key !== undefined) {
      const descriptor = Object.getOwnPropertyDescriptor(target, key);
      const json = openApiSchema(schema) as { properties?: Record<string, object>; required?: string[] };
      if (descriptor) {
        for (const [name, prop] of Object.entries(json.properties ?? {})) {
          ApiQuery({ name, required: json.required?.includes(name) ?? false, schema: prop })(
            target,
            key,
            descriptor,
          );
        }
      }
    }
    Query(new ZodPipe(schema))(target, key, index);
  };
}
