/**
 * The llm-inferno control loop (Go) POSTs /optimizeOne with SystemData marshalled by
 * encoding/json: every field present, zero values included, nil slices as null. It then reads
 * the desired allocations back with GET /getServers.
 */
import { describe, expect, it } from 'vitest';
import { createApi, MemorySystemStore, type ApiMode } from '../../src/api/index.js';
import { call } from './client.js';

const GO_SYSTEM_DATA = `{"system":{"acceleratorData":{"accelerators":[
{"name":"A100","type":"A100","multiplicity":1,"memSize":80,"memBW":2000,"power":{"idle":150,"full":400,"midPower":320,"midUtil":0.6},"cost":40},
{"name":"G2","type":"G2","multiplicity":1,"memSize":96,"memBW":1200,"power":{"idle":180,"full":600,"midPower":500,"midUtil":0.6},"cost":25}]},
"modelData":{"models":[
{"name":"granite_13b","acc":"A100","accCount":1,"maxBatchSize":32,"atTokens":512,"decodeParms":{"alpha":20.58,"beta":0.41},"prefillParms":{"gamma":200,"delta":0.021}},
{"name":"granite_13b","acc":"G2","accCount":1,"maxBatchSize":38,"atTokens":512,"decodeParms":{"alpha":17.15,"beta":0.34},"prefillParms":{"gamma":170,"delta":0.017}},
{"name":"llama_70b","acc":"G2","accCount":2,"maxBatchSize":6,"atTokens":512,"decodeParms":{"alpha":22.84,"beta":5.89},"prefillParms":{"gamma":220,"delta":0.295}}]},
"serviceClassData":{"serviceClasses":[
{"name":"Premium","priority":1,"modelTargets":[{"model":"granite_13b","slo-itl":40,"slo-ttft":1000,"slo-tps":0},{"model":"llama_70b","slo-itl":80,"slo-ttft":1000,"slo-tps":0}]},
{"name":"Bronze","priority":2,"modelTargets":[{"model":"granite_13b","slo-itl":80,"slo-ttft":2000,"slo-tps":0}]},
{"name":"Spare","priority":0,"modelTargets":null}]},
"serverData":{"servers":[
{"name":"Premium-granite_13b","class":"Premium","model":"granite_13b","keepAccelerator":false,"minNumReplicas":1,"maxBatchSize":0,
 "currentAlloc":{"accelerator":"A100","numReplicas":1,"maxBatch":16,"cost":40,"itlAverage":25.2,"ttftAverage":726.5,"load":{"arrivalRate":100,"avgInTokens":128,"avgOutTokens":999}},
 "desiredAlloc":{"accelerator":"","numReplicas":0,"maxBatch":0,"cost":0,"itlAverage":0,"ttftAverage":0,"load":{"arrivalRate":0,"avgInTokens":0,"avgOutTokens":0}}},
{"name":"Premium-llama_70b","class":"Premium","model":"llama_70b","keepAccelerator":false,"minNumReplicas":0,"maxBatchSize":0,
 "currentAlloc":{"accelerator":"","numReplicas":0,"maxBatch":0,"cost":0,"itlAverage":0,"ttftAverage":0,"load":{"arrivalRate":30,"avgInTokens":256,"avgOutTokens":512}},
 "desiredAlloc":{"accelerator":"","numReplicas":0,"maxBatch":0,"cost":0,"itlAverage":0,"ttftAverage":0,"load":{"arrivalRate":0,"avgInTokens":0,"avgOutTokens":0}}},
{"name":"Bronze-granite_13b","class":"Bronze","model":"granite_13b","keepAccelerator":true,"minNumReplicas":0,"maxBatchSize":0,
 "currentAlloc":{"accelerator":"G2","numReplicas":2,"maxBatch":19,"cost":50,"itlAverage":30.1,"ttftAverage":120.4,"load":{"arrivalRate":60,"avgInTokens":96,"avgOutTokens":1024}},
 "desiredAlloc":{"accelerator":"","numReplicas":0,"maxBatch":0,"cost":0,"itlAverage":0,"ttftAverage":0,"load":{"arrivalRate":0,"avgInTokens":0,"avgOutTokens":0}}}]},
"optimizerData":{"optimizer":{"unlimited":false,"heterogeneous":false,"milpSolver":false,"useCplex":false,"delayedBestEffort":false,"saturationPolicy":""}},
"capacityData":{"count":[{"type":"A100","count":8},{"type":"G2","count":32}]}}}`;

const ALLOCATION_KEYS = ['accelerator', 'numReplicas', 'maxBatch', 'cost', 'itlAverage', 'ttftAverage', 'load'];
const SERVER_KEYS = ['name', 'class', 'model', 'keepAccelerator', 'minNumReplicas', 'maxBatchSize', 'currentAlloc', 'desiredAlloc'];

describe.each<ApiMode>(['stateless', 'stateful'])('the Go control loop round trip (%s)', (mode) => {
  it('POST /optimizeOne, then GET /getServers answers ServerData with every desiredAlloc filled in', async () => {
    const api = createApi({ store: new MemorySystemStore(), mode });
    const optimized = await call(api, 'POST', '/optimizeOne', GO_SYSTEM_DATA);
    expect(optimized.status).toBe(200);
    const allocations = optimized.body.allocations;
    expect(Object.keys(allocations).sort()).toEqual(['Bronze-granite_13b', 'Premium-granite_13b', 'Premium-llama_70b']);
    // keepAccelerator holds the Bronze server on its G2
    expect(allocations['Bronze-granite_13b'].accelerator).toBe('G2');

    const { status, body } = await call(api, 'GET', '/getServers');
    expect(status).toBe(200);
    expect(Object.keys(body)).toEqual(['servers']);
    expect(body.servers.map((server: { name: string }) => server.name)).toEqual(['Bronze-granite_13b', 'Premium-granite_13b', 'Premium-llama_70b']);
    for (const server of body.servers) {
      // Go unmarshals into its own structs: the keys must be exactly these, every one present.
      expect(Object.keys(server)).toEqual(SERVER_KEYS);
      expect(Object.keys(server.desiredAlloc)).toEqual(ALLOCATION_KEYS);
      const { placements: _placements, ...allocation } = allocations[server.name];
      expect(server.desiredAlloc).toEqual(allocation);
      expect(server.desiredAlloc.numReplicas).toBeGreaterThan(0);
      expect(server.desiredAlloc.load).toEqual(server.currentAlloc.load);
    }
    // the class Go sent with null targets exists, at the lowest priority
    expect((await call(api, 'GET', '/getServiceClass/Spare')).body).toEqual({ name: 'Spare', priority: 100, modelTargets: [] });
  });
});
