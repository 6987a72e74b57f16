/** What the /get verbs answer about one system, to compare before and after. */
import { expect } from 'vitest';

/** GETs a path of the server under test and answers the status and parsed JSON body. */
export type Get = (path: string) => Promise<{ status: number; body: any }>;

export async function readState(get: Get, prefix: string): Promise<unknown> {
  const body = async (verb: string) => {
    const answer = await get(`${prefix}/${verb}`);
    expect(answer.status, `${prefix}/${verb}`).toBe(200);
    return answer.body;
  };
  return {
    accelerators: (await body('getAccelerators')).accelerators,
    capacities: (await body('getCapacities')).count,
    models: await body('getModels'),
    serviceClasses: (await body('getServiceClasses')).serviceClasses,
    servers: (await body('getServers')).servers,
  };
}
