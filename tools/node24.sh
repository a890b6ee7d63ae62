# Sourced by tools/dev and .ci/run: puts a Node >= 22.12 first on PATH, installing Node 24 from
# the npm registry (package node@24) when the machine's Node is older.
oci_sd_node_ok() {
  command -v node >/dev/null 2>&1 && node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>22||(a===22&&b>=12)?0:1)'
}
if ! oci_sd_node_ok; then
  OCI_SD_NODE_DIR="${OCI_SD_NODE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/oci-sd/node24}"
  if [ ! -x "$OCI_SD_NODE_DIR/node_modules/node/bin/node" ]; then
    echo "oci-sd: Node $(node --version 2>/dev/null || echo missing) is too old; installing Node 24 into $OCI_SD_NODE_DIR" >&2
    mkdir -p "$OCI_SD_NODE_DIR"
    npm install --loglevel=error --no-audit --no-fund --prefix "$OCI_SD_NODE_DIR" node@24 >&2
  fi
  export PATH="$OCI_SD_NODE_DIR/node_modules/node/bin:$PATH"
  oci_sd_node_ok || { echo "oci-sd: could not get Node >= 22.12" >&2; return 1 2>/dev/null || exit 1; }
fi
