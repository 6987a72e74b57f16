// The REST API as your Cloudflare Worker, one Durable Object per system (see wrangler.toml).
export { default, SystemObject } from 'inferno-edge/worker';
