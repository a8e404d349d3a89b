/** A usage or configuration error: the command line prints its message as one line per problem and exits 2. */
export class UsageError extends Error {}
