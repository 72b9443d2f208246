import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { envModuleOf, type AppName } from './paths';

/**
 * The variables an app reads: the keys of every zod object literal in its src/env.ts (`z.object({...})` and
 * `.extend({...})`), found in the syntax tree, so a variable added to the schema is seen without editing a list.
 *
 * env.ts does not export its schemas; when it does (e.g. `export const envSchemas = { base, server }`), read
 * `Object.keys(schema.shape)` instead.
 */
export function envSchemaKeys(app: AppName): string[] {
  const file = envModuleOf(app);
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const keys = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && ['object', 'extend'].includes(node.expression.name.text)) {
      const [shape] = node.arguments;
      if (shape && ts.isObjectLiteralExpression(shape)) {
        for (const property of shape.properties) {
          const name = property.name;
          if (name && (ts.isIdentifier(name) || ts.isStringLiteral(name))) keys.add(name.text);
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  const found = [...keys].sort();
  const odd = found.filter((key) => !/^[A-Z][A-Z0-9_]*$/.test(key));
  if (found.length === 0 || odd.length > 0) {
    throw new Error(`${file}: expected zod object schemas keyed by variable names, found ${JSON.stringify(found)}; update src/env-schema.ts`);
  }
  return found;
}
