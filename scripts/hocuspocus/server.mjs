// Hocuspocus as gloss-load measures it beside Gloss and the floor: one
// process, documents in memory, no extensions (no persistence, no auth
// hook), as the "Hocuspocus (memory)" column. Usage:
//   node server.mjs 127.0.0.1:PORT
import { Server } from "@hocuspocus/server";

const [address, port] = (process.argv[2] || "127.0.0.1:1234").split(":");
const server = new Server({
  address,
  port: Number(port),
  quiet: true,
  // The idle measurement keeps 1,000 connections silent while the
  // server's memory settles; Hocuspocus's default (60 s without a
  // message) could close them first.
  timeout: 10 * 60 * 1000,
});
await server.listen();
process.on("SIGTERM", () => process.exit(0));
