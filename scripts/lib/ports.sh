# Port helpers shared by scripts/redis.sh and scripts/neo4j.sh (sourced, not run).

# Exit 0 when nothing listens on 127.0.0.1:PORT.
port_free() {
  node -e '
    const srv = require("node:net").createServer();
    srv.once("error", () => process.exit(1));
    srv.listen(Number(process.argv[1]), "127.0.0.1", () => srv.close(() => process.exit(0)));
  ' "$1" >/dev/null 2>&1
}

# Prints a port that is free on 127.0.0.1 right now.
free_port() {
  node -e '
    const srv = require("node:net").createServer();
    srv.listen(0, "127.0.0.1", () => { const p = srv.address().port; srv.close(() => console.log(p)); });
  '
}
