// Runs the GraphQL-over-HTTP audit suite (graphql-http's serverAudits) against a live
// server and prints one JSON array of {id, name, status, reason} on stdout.
// Usage: node audit.js http://127.0.0.1:PORT/graphql
'use strict';
const { serverAudits } = require('graphql-http');

async function main() {
  const url = process.argv[2];
  if (!url) {
    console.error('usage: node audit.js URL');
    process.exit(2);
  }
  const results = [];
  // One at a time: a small machine, and the order is the specification's.
  for (const audit of serverAudits({ url })) {
    const result = await audit.fn();
    results.push({
      id: result.id,
      name: result.name,
      status: result.status,
      reason: result.reason || null,
    });
  }
  process.stdout.write(JSON.stringify(results));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
