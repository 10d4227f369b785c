import { readFileSync } from 'node:fs';
import { buildSchema, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { ADMIN_DOCUMENTS } from './admin-documents';

// The schema the gateway serves (regenerated from the built binary by tests/graphql.test.ts):
// a renamed field or argument fails here, not in a browser.
const schema = buildSchema(readFileSync(new URL('../../../../../../docs/graphql/schema.graphql', import.meta.url), 'utf8'));

describe('admin GraphQL documents', () => {
  for (const [name, document] of Object.entries(ADMIN_DOCUMENTS)) {
    it(`${name} validates against docs/graphql/schema.graphql`, () => {
      expect(validate(schema, parse(document)).map((e) => e.message)).toEqual([]);
    });
  }

  it('asks no query for a secret: only the creating mutations select them', () => {
    for (const [name, document] of Object.entries(ADMIN_DOCUMENTS)) {
      const selectsSecret = /\bsecret\b|temporaryPassword/.test(document);
      expect(selectsSecret, name).toBe(['CREATE_KEY', 'INVITE_MEMBER', 'RESET_PASSWORD'].includes(name));
    }
  });
});
