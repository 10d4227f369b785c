import { InitialSchema1767225600000 } from './1767225600000-initial-schema.js';

/** Every migration, oldest first. A new schema change is a new class appended here. */
export const METADATA_MIGRATIONS = [InitialSchema1767225600000];
