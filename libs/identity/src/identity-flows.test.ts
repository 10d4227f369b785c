import { describeIdentityFlows } from '../conformance/identity.conformance.js';

// In-memory SQLite: the same flows run on SQLite files and PostgreSQL in tests/metadata-*.test.ts.
describeIdentityFlows('sqlite in memory', async () => 'sqlite://:memory:');
