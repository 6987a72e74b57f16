/** The one way the core says "no result, because ...": a value of this class in place of one. */
export class Infeasible {
  constructor(readonly reason: string) {}
}

/** A value, or why there is none. */
export type Result<T> = T | Infeasible;
