// The types of paramsValidators.js, which scripts/gen-schema.ts generates (npm run schema).
import type { ValidateFunction } from 'ajv';

declare const validators: Record<string, ValidateFunction | undefined>;
export = validators;
